# Loaded by every plot script: one palette for the whole report, the
# terminal sized to the plot's content (W x H pixels, computed by procbench
# report from what the plot holds), the axes' ranges, scales and ticks (the
# labels written out in human units: no gnuplot number formats).
# Set before this script: fmt, outfile, W, H, and for each axis a in x, y:
#   alog (0 linear, else the base), amin, amax, nat, array atp[nat] (tick
#   positions), array atl[nat] (their labels)
# 16 colours of high mutual contrast (after Kelly's list), in the order
# series get them; point types to tell lines apart in grey print too.
array palette[16] = ['#0067a5', '#e25822', '#008856', '#875692', '#f6a600', '#be0032', \
                     '#a1caf1', '#848482', '#8db600', '#e68fac', '#604e97', '#882d17', \
                     '#2b3d26', '#c2b280', '#f38400', '#b3446c']
array points[8] = [7, 5, 9, 11, 13, 15, 4, 6]
if (fmt eq 'png') {
    set terminal pngcairo size W,H noenhanced font 'sans,10'
} else {
    set terminal svg size W,H noenhanced font 'sans,11' background '#ffffff'
}
set output outfile
set datafile separator comma
set border 3 lc rgb '#555555'
set tics nomirror out
set grid lc rgb '#e4e4e4' lt 1
if (xlog > 0) { set logscale x xlog } else { unset logscale x }
if (ylog > 0) { set logscale y ylog } else { unset logscale y }
set xrange [xmin:xmax]
set yrange [ymin:ymax]
set xtics ()
do for [i=1:nxt] { set xtics add (xtl[i] xtp[i]) }
set ytics ()
do for [i=1:nyt] { set ytics add (ytl[i] ytp[i]) }
unset mxtics
unset mytics

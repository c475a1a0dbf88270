# Trend: the median of each case of a family in every run of this machine
# that the history store holds, with its 95% confidence interval, and the
# runs where `procbench history` found a change marked by a ring.
# Set before this script: fmt, outfile, datafile, plottitle, n, array titles[n]
# datafile: one block per case, rows run,p50_us,ci_low_us,ci_high_us,change_us
# (change_us: the median again where a change starts, else NaN)
if (fmt eq 'png') {
    set terminal pngcairo size 1000,560 noenhanced font 'sans,9'
} else {
    set terminal svg size 1000,560 noenhanced font 'sans,11' background '#ffffff'
}
set output outfile
set datafile separator comma
set title plottitle noenhanced
set xlabel 'run (oldest first)'
set ylabel 'median per operation (us)'
set logscale y 10
set grid
set xtics 1 nomirror
set offsets 0.5, 0.5, 0, 0
set key below left noenhanced font ',8' maxrows 8
plot for [i=1:n] datafile index (i-1) using 1:2:3:4 with yerrorlines lc i pt 7 ps 0.5 \
         title titles[i], \
     for [i=1:n] datafile index (i-1) using 1:5 with points lc i pt 6 ps 2.5 lw 2 notitle

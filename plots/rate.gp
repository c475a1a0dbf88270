# Open loop: spawn latency (from the intended start) against the offered
# rate, p50 solid and p99 dashed, one colour per case.
# Set before this script: fmt, outfile, datafile, plottitle, n, array titles[n]
# datafile: one block per series, rows offered_per_s,p50_us,p99_us,achieved_per_s
if (fmt eq 'png') {
    set terminal pngcairo size 1000,560 noenhanced font 'sans,9'
} else {
    set terminal svg size 1000,560 noenhanced font 'sans,11' background '#ffffff'
}
set output outfile
set datafile separator comma
set title plottitle noenhanced
set xlabel 'offered rate (spawns/s)'
set ylabel 'latency from the intended start (us)'
set logscale x 10
set logscale y 10
set grid
set key outside right top noenhanced font ',9'
set rmargin 40
plot for [i=1:n] datafile index (i-1) using 1:2 with linespoints lc i pt 7 ps 0.6 title titles[i].' p50', \
     for [i=1:n] datafile index (i-1) using 1:3 with linespoints lc i dt 2 pt 6 ps 0.6 title titles[i].' p99'

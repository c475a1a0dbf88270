# Percentile spectrum of a family: latency against 1/(1-p) on a log scale,
# so that the median, p90, p99 and p99.9 are evenly spaced and the tail is
# visible. One step line per case.
# Set before this script (by `procbench report`, in a settings file and -e):
#   fmt ('svg' or 'png'), outfile, datafile, plottitle, n, array titles[n]
# datafile: one block per case (blocks separated by two blank lines), rows
#   inv_tail,value_us   where inv_tail = 1/(1-p) of the samples below value
if (fmt eq 'png') {
    set terminal pngcairo size 1000,560 noenhanced font 'sans,9'
} else {
    set terminal svg size 1000,560 noenhanced font 'sans,11' background '#ffffff'
}
set output outfile
set datafile separator comma
set title plottitle noenhanced
set logscale x 10
set logscale y 10
set xrange [1:*]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (us)'
set grid xtics ytics mytics
set key outside right top noenhanced font ',9'
set rmargin 40
plot for [i=1:n] datafile index (i-1) using 1:2 with steps lw 1.5 title titles[i]

# Spawn latency against the parent's resident memory, one line per
# mechanism (and other parameters): what fork's page-table copy costs.
# Set before this script: fmt, outfile, datafile, plottitle, n, array titles[n]
# datafile: one block per series, rows rss_gib,p50_us,p50_ci_low_us,p50_ci_high_us
if (fmt eq 'png') {
    set terminal pngcairo size 1000,560 noenhanced font 'sans,9'
} else {
    set terminal svg size 1000,560 noenhanced font 'sans,11' background '#ffffff'
}
set output outfile
set datafile separator comma
set title plottitle noenhanced
set xlabel 'parent RSS (GiB)'
set ylabel 'spawn to reaped exit, p50 (us)'
set logscale y 10
set grid
set key outside right top noenhanced font ',9'
set rmargin 40
plot for [i=1:n] datafile index (i-1) using 1:2:3:4 with yerrorlines pt 7 ps 0.6 title titles[i]

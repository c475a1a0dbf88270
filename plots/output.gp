# Buffered against streamed child output, against the output size: total
# time, time to the first byte, and the parent's RSS growth.
# Set before this script: fmt, outfile, datafile, plottitle, n, array titles[n]
# datafile: one block per series, rows bytes,p50_ms,first_byte_p50_us,rss_growth_p50_mib
if (fmt eq 'png') {
    set terminal pngcairo size 1400,500 noenhanced font 'sans,9'
} else {
    set terminal svg size 1400,500 noenhanced font 'sans,11' background '#ffffff'
}
set output outfile
set datafile separator comma
set multiplot layout 1,3 title plottitle noenhanced
set logscale x 2
set format x '%.0s%cB'
set xlabel 'child output (bytes)'
set grid
set key top left noenhanced font ',8'
set logscale y 10
set ylabel 'spawn to exit, all output read, p50 (ms)'
plot for [i=1:n] datafile index (i-1) using 1:2 with linespoints pt 7 ps 0.5 title titles[i]
set ylabel 'first byte, p50 (us)'
plot for [i=1:n] datafile index (i-1) using 1:3 with linespoints pt 7 ps 0.5 title titles[i]
unset logscale y
set yrange [0:*]
set ylabel 'parent RSS growth, p50 (MiB)'
plot for [i=1:n] datafile index (i-1) using 1:4 with linespoints pt 7 ps 0.5 title titles[i]
unset multiplot

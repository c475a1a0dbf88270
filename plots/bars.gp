# Bars of the median per case with its 95% confidence interval, and the
# 99th percentile as a point, on a log scale (cases of a family differ by
# orders of magnitude).
# Set before this script: fmt, outfile, datafile, plottitle, n, array titles[n]
# datafile rows: index,p50_us,p50_ci_low_us,p50_ci_high_us,p99_us
if (fmt eq 'png') {
    set terminal pngcairo size 1000,600 noenhanced font 'sans,9'
} else {
    set terminal svg size 1000,600 noenhanced font 'sans,11' background '#ffffff'
}
set output outfile
set datafile separator comma
set title plottitle noenhanced
set logscale y 10
set ylabel 'time per operation (us)'
set style fill solid 0.45 border -1
set boxwidth 0.6
set xrange [-0.7:n-0.3]
set xtics () rotate by -35 left font ',8' nomirror
do for [i=1:n] { set xtics add (titles[i] i-1) }
set bmargin 16
set grid ytics mytics
set key top left
plot datafile using 1:2 with boxes lc rgb '#4c78a8' title 'p50', \
     datafile using 1:2:3:4 with yerrorbars pt 0 lc rgb '#000000' title '95% CI of p50', \
     datafile using 1:5 with points pt 7 ps 0.8 lc rgb '#e45756' title 'p99'

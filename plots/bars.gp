# A horizontal bar per case: its median (bar), the median's 95% confidence
# interval (whisker) and its 99th percentile (dot), the cases' labels on
# the left, the first on top, the key under the plot.
# Set before this script: scriptdir, fmt, outfile (by -e); in the settings
# file: W, H, left, right (pixels: the plot's span), n, array titles[n]
# (the cases), has_ci, has_p99 (0: the cases have none, no key entry),
# plottitle, datafile, and the axes (see common.gp: x is the value axis).
# datafile rows: index,p50,ci_low,ci_high,p99 (base units).
load scriptdir.'/common.gp'
set title plottitle noenhanced
set lmargin at screen left * 1.0 / W
set rmargin at screen right * 1.0 / W
set tmargin at screen 1 - 44.0 / H
set bmargin at screen 78.0 / H
set yrange [n - 0.5 : -0.5]
set ytics () scale 0
do for [i=1:n] { set ytics add (titles[i] i - 1) }
set grid noytics xtics
set key at screen 0.5, 8.0 / H center bottom horizontal maxrows 1 samplen 1.5 noenhanced
set style fill solid 0.6 border lc rgb '#36566e'
base = xmin
plot datafile using 2:1:(base):2:($1 - 0.32):($1 + 0.32) with boxxyerror \
         lc rgb palette[1] title 'median (p50)', \
     datafile using 2:1:3:4 with xerrorbars pt -1 lw 1.2 lc rgb '#1b1b1b' \
         title (has_ci ? '95% CI of the median' : ''), \
     datafile using 5:1 with points pt 7 ps 0.7 lc rgb palette[2] title (has_p99 ? 'p99' : '')

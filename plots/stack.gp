# A horizontal bar per case cut into the parts its clocks make (until the
# call returned, until the child's first instruction, until the end), each
# part in its colour, the key under the plot.
# Set before this script: scriptdir, fmt, outfile (by -e); in the settings
# file: W, H, left, right, n, array titles[n] (the cases), nparts, array
# parts[nparts], plottitle, datafile, and the axes (x is the value axis).
# datafile rows: index,from,to,part (base units; part counts from 0).
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
set style fill solid 0.85 border lc rgb '#ffffff'
plot for [k=1:nparts] datafile using ($4 == k - 1 ? ($2 + $3) / 2 : NaN):1:2:3:($1 - 0.34):($1 + 0.34) \
     with boxxyerror lc rgb palette[k] title parts[k]

# The three clocks of a spawn, stacked per case: the parent blocked in the
# create call, then until the child's first instruction, then until the
# child was reaped (medians, microseconds).
# Set before this script: fmt, outfile, datafile, plottitle, n, array titles[n]
# datafile rows: index,blocked_us,until_first_instruction_us,until_reaped_us
if (fmt eq 'png') {
    set terminal pngcairo size 1000,600 noenhanced font 'sans,9'
} else {
    set terminal svg size 1000,600 noenhanced font 'sans,11' background '#ffffff'
}
set output outfile
set datafile separator comma
set title plottitle noenhanced
set ylabel 'median time per spawn (us)'
set yrange [0:*]
set style fill solid 0.6 border -1
set boxwidth 0.6
set xrange [-0.7:n-0.3]
set xtics () rotate by -35 left font ',8' nomirror
do for [i=1:n] { set xtics add (titles[i] i-1) }
set bmargin 16
set grid ytics
set key top left
# Tallest first, so that each shorter part is drawn over the one it starts.
plot datafile using 1:($2+$3+$4) with boxes lc rgb '#54a24b' title 'until reaped', \
     datafile using 1:($2+$3) with boxes lc rgb '#f58518' title 'until the child runs', \
     datafile using 1:2 with boxes lc rgb '#4c78a8' title 'parent blocked'

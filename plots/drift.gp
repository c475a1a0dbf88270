# Drift: every round's median, divided by its case's median, against the
# time the round started. Rounds of all cases are interleaved, so a machine
# that slows down for a while shows as a band of points above 1 at that time.
# Set before this script: fmt, outfile, datafile, plottitle, n, array titles[n]
# datafile: one block per family, rows start_s,round_p50_over_case_p50
if (fmt eq 'png') {
    set terminal pngcairo size 1000,460 noenhanced font 'sans,9'
} else {
    set terminal svg size 1000,460 noenhanced font 'sans,11' background '#ffffff'
}
set output outfile
set datafile separator comma
set title plottitle noenhanced
set xlabel 'time since the run started (s)'
set ylabel 'round p50 / case p50'
set logscale y 2
set grid
set key outside right top noenhanced
plot for [i=1:n] datafile index (i-1) using 1:2 with points pt 7 ps 0.5 title titles[i], \
     1 with lines dt 2 lc rgb '#808080' notitle

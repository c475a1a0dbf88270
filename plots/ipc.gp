# IPC against message size, one line per transport (and its variant), for
# one placement: round trip (mode=pingpong, p50 with its 95% CI) on the
# left, throughput (mode=stream) on the right.
# Set before this script: fmt, outfile, datafile, plottitle, n, array titles[n],
#   has_rtt, has_tput (1 when some case has the figure, else 0)
# datafile: one block per series, rows size_bytes,rtt_p50_us,rtt_ci_low_us,rtt_ci_high_us,mib_per_s
#   (NaN where a case was not run)
if (fmt eq 'png') {
    set terminal pngcairo size 1300,560 noenhanced font 'sans,9'
} else {
    set terminal svg size 1300,560 noenhanced font 'sans,11' background '#ffffff'
}
set output outfile
set datafile separator comma
set multiplot layout 1,2 title plottitle noenhanced
set logscale x 2
set logscale y 10
set xlabel 'message size (bytes)'
set format x '%.0s%cB'
set grid
set key top left noenhanced font ',8'
if (has_rtt) {
    set ylabel 'round trip p50 (us)'
    plot for [i=1:n] datafile index (i-1) using 1:2:3:4 with yerrorlines pt 7 ps 0.5 title titles[i]
}
if (has_tput) {
    set ylabel 'stream throughput (MiB/s)'
    set key top left
    plot for [i=1:n] datafile index (i-1) using 1:5 with linespoints pt 7 ps 0.5 title titles[i]
}
unset multiplot

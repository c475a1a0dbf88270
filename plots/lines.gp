# A metric against a parameter: a line per series, a panel per value of a
# parameter (small multiples sharing their y axis), and the legend in a
# strip of its own at the right, where it covers nothing. Also draws the
# percentile spectrum (style 'steps') and the drift of rounds ('points',
# with a dashed line at 1).
# Set before this script: scriptdir, fmt, outfile (by -e); in the settings
# file: W, H, left, right (pixels: the panels' span), np, array ptitles[np],
# n, array titles[n], array colors[n] (palette indices), style ('lines',
# 'steps' or 'points'), yerr (1: draw each point's 95% CI), marks (1: ring
# the points whose fifth column is a number: where a change starts), tails
# (1: the sixth column, the p99, as a dashed line in the series' colour),
# refline, plottitle, xlabel, ylabel, datafile, and the axes (see common.gp).
# datafile: n blocks per panel, panel-major, rows x,y,ci_low,ci_high,mark,tail.
load scriptdir.'/common.gp'
top = 1 - (np > 1 ? 66.0 : 48.0) / H
bottom = 62.0 / H
gap = 24.0
pw = (right - left - (np - 1) * gap) / np
set multiplot title plottitle noenhanced
set tmargin at screen top
set bmargin at screen bottom
set xlabel xlabel noenhanced
# Rings (marks) and dashed tails are loops of no turns when off.
nm = marks ? n : 0
nt = tails ? n : 0
do for [p=1:np] {
    x0 = left + (p - 1) * (pw + gap)
    set lmargin at screen x0 / W
    set rmargin at screen (x0 + pw) / W
    set title ptitles[p] noenhanced
    set ytics ()
    if (p == 1) {
        do for [i=1:nyt] { set ytics add (ytl[i] ytp[i]) }
        set ylabel ylabel noenhanced
    } else {
        do for [i=1:nyt] { set ytics add ('' ytp[i]) }
        unset ylabel
    }
    if (style eq 'steps') {
        plot for [s=1:n] datafile index ((p - 1) * n + s - 1) using 1:2 with steps lw 1.6 \
             lc rgb palette[colors[s]] notitle
    }
    if (style eq 'points') {
        plot for [s=1:n] datafile index ((p - 1) * n + s - 1) using 1:2 with points pt 7 \
             ps 0.45 lc rgb palette[colors[s]] notitle, \
             1 with lines dt 2 lc rgb '#808080' notitle
    }
    if (style eq 'lines' && yerr) {
        plot for [s=1:n] datafile index ((p - 1) * n + s - 1) using 1:2:3:4 with yerrorlines \
             lw 1.5 pt points[(s - 1) % 8 + 1] ps 0.6 lc rgb palette[colors[s]] notitle, \
             for [s=1:nm] datafile index ((p - 1) * n + s - 1) using 1:5 with points pt 6 \
             ps 2.2 lw 1.5 lc rgb palette[colors[s]] notitle, \
             for [s=1:nt] datafile index ((p - 1) * n + s - 1) using 1:6 with lines dt 2 \
             lw 1.2 lc rgb palette[colors[s]] notitle
    }
    if (style eq 'lines' && !yerr) {
        plot for [s=1:n] datafile index ((p - 1) * n + s - 1) using 1:2 with linespoints \
             lw 1.5 pt points[(s - 1) % 8 + 1] ps 0.6 lc rgb palette[colors[s]] notitle, \
             for [s=1:nt] datafile index ((p - 1) * n + s - 1) using 1:6 with lines dt 2 \
             lw 1.2 lc rgb palette[colors[s]] notitle
    }
}
# The legend: an empty plot in the strip right of the panels.
unset title
unset xlabel
unset ylabel
unset border
unset tics
unset grid
unset logscale
set xrange [0:1]
set yrange [0:1]
set lmargin at screen (right + 12.0) / W
set rmargin at screen 0.999
set key at screen (right + 16.0) / W, top left top Left reverse samplen 2.5 spacing 1.1 noenhanced
if (style eq 'lines') {
    plot for [s=1:n] NaN with linespoints lw 1.5 pt points[(s - 1) % 8 + 1] ps 0.6 \
         lc rgb palette[colors[s]] title titles[s], \
         for [s=1:(tails ? 1 : 0)] NaN with lines dt 2 lw 1.2 lc rgb '#606060' \
         title 'dashed: p99'
} else {
    plot for [s=1:n] NaN with lines lw 3 lc rgb palette[colors[s]] title titles[s]
}
unset multiplot

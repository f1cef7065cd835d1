# SPDX-License-Identifier: GPL-2.0-or-later
#
# The plot of bench/sweep.sh:
#   gnuplot -e "data='FILE'; out='PNG'; dpdk=0|1" bench/sweep.gp
# FILE: two blocks (IPv4, IPv6) of lines "prefixes, ours matched M/s, ours
# uniform M/s, FIB MiB, FIB bytes per prefix, DPDK matched M/s, DPDK uniform
# M/s, all of our table's MiB" (NaN where not measured).

set terminal pngcairo size 1400,1000 font ",11"
set output out
set multiplot title "routed: synthetic tables (tools/routegen), one lookup thread"
set logscale x
set autoscale xfix
set format x "%.0s%c"
set xlabel "prefixes"
set grid
set key inside top right

set title "lookups"
set ylabel "M lookups/s"
set logscale y
set key outside right top
set size 1, 0.5
set origin 0, 0.46
if (dpdk) {
	plot data index 0 using 1:2 with linespoints lw 2 pt 7 lc 1 title "IPv4 matched", \
	     data index 0 using 1:3 with linespoints lw 2 pt 5 lc 2 title "IPv4 uniform", \
	     data index 1 using 1:2 with linespoints lw 2 pt 7 lc 3 title "IPv6 matched", \
	     data index 1 using 1:3 with linespoints lw 2 pt 5 lc 4 title "IPv6 uniform", \
	     data index 0 using 1:6 with linespoints dt 2 pt 6 lc 1 title "IPv4 matched, best DPDK", \
	     data index 0 using 1:7 with linespoints dt 2 pt 4 lc 2 title "IPv4 uniform, best DPDK", \
	     data index 1 using 1:6 with linespoints dt 2 pt 6 lc 3 title "IPv6 matched, best DPDK", \
	     data index 1 using 1:7 with linespoints dt 2 pt 4 lc 4 title "IPv6 uniform, best DPDK"
} else {
	plot data index 0 using 1:2 with linespoints lw 2 pt 7 lc 1 title "IPv4 matched", \
	     data index 0 using 1:3 with linespoints lw 2 pt 5 lc 2 title "IPv4 uniform", \
	     data index 1 using 1:2 with linespoints lw 2 pt 7 lc 3 title "IPv6 matched", \
	     data index 1 using 1:3 with linespoints lw 2 pt 5 lc 4 title "IPv6 uniform"
}

set title "memory"
set ylabel "MiB"
set key inside top left
set size 0.5, 0.46
set origin 0, 0
plot data index 0 using 1:4 with linespoints lw 2 pt 7 lc 1 title "IPv4 FIB", \
     data index 1 using 1:4 with linespoints lw 2 pt 7 lc 3 title "IPv6 FIB", \
     data index 0 using 1:8 with linespoints dt 2 pt 6 lc 1 title "IPv4 all (RIB, FIB, ids)", \
     data index 1 using 1:8 with linespoints dt 2 pt 6 lc 3 title "IPv6 all (RIB, FIB, ids)"

set title "FIB bytes per prefix"
set ylabel "bytes"
set key inside top right
set origin 0.5, 0
unset logscale y
set yrange [0:*]
plot data index 0 using 1:5 with linespoints lw 2 pt 7 lc 1 title "IPv4", \
     data index 1 using 1:5 with linespoints lw 2 pt 7 lc 3 title "IPv6"

unset multiplot

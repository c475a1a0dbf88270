# Prints one column of an RFC 4180 CSV file (quoted fields with commas and
# doubled quotes included), one value per data row, for the shell tests and
# ci scripts. Portable awk: Debian's default mawk has no FPAT.
# usage: awk -v column=NAME -f csv_column.awk FILE
function split_csv(line, fields,    n, i, c, field, quoted) {
    n = 0; field = ""; quoted = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (quoted) {
            if (c == "\"" && substr(line, i + 1, 1) == "\"") { field = field "\""; i++ }
            else if (c == "\"") quoted = 0
            else field = field c
        } else if (c == "\"") quoted = 1
        else if (c == ",") { fields[++n] = field; field = "" }
        else field = field c
    }
    fields[++n] = field
    return n
}
NR == 1 {
    n = split_csv($0, header)
    for (i = 1; i <= n; i++) if (header[i] == column) wanted = i
    if (!wanted) { print "csv_column.awk: no column " column > "/dev/stderr"; exit 2 }
    next
}
{ split_csv($0, row); print row[wanted] }

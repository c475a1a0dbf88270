/*
 * Command-line parsing. The defaults measure each case until its median is
 * known to +-1% (at least three interleaved rounds, at most 5 s of sampling)
 * and plan the whole run to end within 4 min 30 s, flagging what that
 * leaves short of the target (budget.h); --quick is the same code path with
 * +-3%, smaller ceilings, 50 s and trimmed sweeps. Options given explicitly
 * win over --quick whatever their order. The text of --help is cli_help.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_values.h"
#include "base/reason.h"
#include "base/units.h"

#define MS     1000000ull
#define SECOND 1000000000ull

enum option_id {
    OPT_WARMUP = 256,
    OPT_MIN_TIME,
    OPT_MAX_TIME,
    OPT_MIN_SAMPLES,
    OPT_CI_TARGET,
    OPT_ROUNDS,
    OPT_PLACEMENT,
    OPT_SEED,
    OPT_OUT_DIR,
    OPT_QUICK,
    OPT_FILTER,
    OPT_PARAM,
    OPT_THRESHOLD,
    OPT_ALPHA,
    OPT_FORMAT,
    OPT_ALLOW_DIFFERENT_MACHINES,
    OPT_RULES,
    OPT_OUT,
    OPT_PNG,
    OPT_LABEL,
    OPT_SAMPLE_TIMEOUT,
    OPT_SINCE,
    OPT_FAIL_ON_CHANGE,
    OPT_TIME_BUDGET,
    OPT_ROUND_TIME,
    OPT_NO_HOLD,
};

static const struct option long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"quiet", no_argument, NULL, 'q'},
    {"filter", required_argument, NULL, OPT_FILTER},
    {"param", required_argument, NULL, OPT_PARAM},
    {"quick", no_argument, NULL, OPT_QUICK},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"min-time", required_argument, NULL, OPT_MIN_TIME},
    {"max-time", required_argument, NULL, OPT_MAX_TIME},
    {"min-samples", required_argument, NULL, OPT_MIN_SAMPLES},
    {"ci-target", required_argument, NULL, OPT_CI_TARGET},
    {"rounds", required_argument, NULL, OPT_ROUNDS},
    {"placement", required_argument, NULL, OPT_PLACEMENT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"out-dir", required_argument, NULL, OPT_OUT_DIR},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"alpha", required_argument, NULL, OPT_ALPHA},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"allow-different-machines", no_argument, NULL, OPT_ALLOW_DIFFERENT_MACHINES},
    {"rules", required_argument, NULL, OPT_RULES},
    {"out", required_argument, NULL, OPT_OUT},
    {"png", no_argument, NULL, OPT_PNG},
    {"label", required_argument, NULL, OPT_LABEL},
    {"sample-timeout", required_argument, NULL, OPT_SAMPLE_TIMEOUT},
    {"since", required_argument, NULL, OPT_SINCE},
    {"fail-on-change", no_argument, NULL, OPT_FAIL_ON_CHANGE},
    {"time-budget", required_argument, NULL, OPT_TIME_BUDGET},
    {"round-time", required_argument, NULL, OPT_ROUND_TIME},
    {"no-hold", no_argument, NULL, OPT_NO_HOLD},
    {NULL, 0, NULL, 0},
};

static void set_defaults(struct cli_options *o)
{
    memset(o, 0, sizeof(*o));
    o->command = CLI_RUN;
    o->out_root = "results";
    o->config.warmup_ns = 15 * MS;
    o->config.min_time_ns = 0;
    o->config.max_time_ns = 5 * SECOND;
    o->config.min_samples = 10;
    o->config.rounds = 3;
    o->config.round_ns = 40 * MS;
    o->config.ci_target_pct = 1.0;
    o->config.time_budget_ns = 270 * SECOND;
    o->config.hold = true;
    o->config.sample_timeout_ns = 60 * SECOND;
    o->config.observe_mechanism = true;
    o->format = CLI_FORMAT_TEXT;
    o->threshold_pct = 5.0;
    o->alpha = 0.05;
    o->rules_path = NULL; /* check: the expectations located by base/locate.h */
}

static void apply_quick(struct run_config *c)
{
    c->quick = true;
    c->warmup_ns = 9 * MS;
    c->min_time_ns = 0;
    c->max_time_ns = 500 * MS;
    /* Two a round: slow cases (a 64 MiB output, Node's fork: 0.1-0.2 s a
     * sample) cost their floor of samples, and below a dozen samples the
     * median's interval is [min, max] anyway. */
    c->min_samples = 6;
    c->rounds = 3;
    c->round_ns = 20 * MS;
    c->ci_target_pct = 3.0;
    c->time_budget_ns = 50 * SECOND;
}

static int add_override(struct cli_options *o, const char *text, char *err, size_t err_len)
{
    const char *eq = strchr(text, '=');
    size_t name_len = eq ? (size_t)(eq - text) : 0;
    if (!eq || name_len == 0 || eq[1] == '\0') {
        reason_format(err, err_len, "--param '%s': expected NAME=V1,V2,...", text);
        return -EINVAL;
    }
    if (name_len >= sizeof(o->override_names[0]) || o->override_count == CLI_MAX_REPEATS) {
        reason_format(err, err_len, "--param '%s': name too long or too many --param", text);
        return -EINVAL;
    }
    char *name = o->override_names[o->override_count];
    memcpy(name, text, name_len);
    name[name_len] = '\0';
    o->overrides[o->override_count].name = name;
    o->overrides[o->override_count].values = eq + 1;
    o->override_count++;
    return 0;
}

/* Explicitly given run options, kept aside so that --quick cannot undo them. */
struct explicit_values {
    bool warmup, min_time, max_time, min_samples, rounds, round_time, ci_target, time_budget;
    struct run_config config;
};

static int parse_run_option(int id, const char *arg, struct cli_options *o,
                            struct explicit_values *ex, char *err, size_t err_len)
{
    switch (id) {
    case OPT_WARMUP:
        ex->warmup = true;
        return cli_value_duration("--warmup", arg, &ex->config.warmup_ns, err, err_len);
    case OPT_MIN_TIME:
        ex->min_time = true;
        return cli_value_duration("--min-time", arg, &ex->config.min_time_ns, err, err_len);
    case OPT_MAX_TIME:
        ex->max_time = true;
        return cli_value_duration("--max-time", arg, &ex->config.max_time_ns, err, err_len);
    case OPT_MIN_SAMPLES:
        ex->min_samples = true;
        return cli_value_count("--min-samples", arg, 1, 1000000000, &ex->config.min_samples, err,
                               err_len);
    case OPT_ROUNDS:
        ex->rounds = true;
        return cli_value_count("--rounds", arg, 1, 10000, &ex->config.rounds, err, err_len);
    case OPT_CI_TARGET:
        ex->ci_target = true;
        return cli_value_percent("--ci-target", arg, &ex->config.ci_target_pct, err, err_len);
    case OPT_TIME_BUDGET:
        ex->time_budget = true;
        return cli_value_duration("--time-budget", arg, &ex->config.time_budget_ns, err, err_len);
    case OPT_ROUND_TIME:
        ex->round_time = true;
        return cli_value_duration("--round-time", arg, &ex->config.round_ns, err, err_len);
    case OPT_NO_HOLD:
        o->config.hold = false;
        return 0;
    case OPT_SAMPLE_TIMEOUT:
        /* Not touched by --quick: it is a safety net, not a budget. */
        return cli_value_duration("--sample-timeout", arg, &o->config.sample_timeout_ns, err,
                                  err_len);
    case OPT_SEED:
        o->seed_given = true;
        /* Seeds stay below 2^63 so that JSON readers see an exact integer. */
        return cli_value_count("--seed", arg, 0, INT64_MAX, &o->config.seed, err, err_len);
    case OPT_PLACEMENT:
        o->placements = arg;
        return 0;
    case OPT_OUT_DIR:
        if (cli_value_output_path("--out-dir", arg, err, err_len) != 0)
            return -EINVAL;
        o->out_root = arg;
        return 0;
    case OPT_QUICK:
        apply_quick(&o->config);
        return 0;
    case OPT_PARAM:
        return add_override(o, arg, err, err_len);
    }
    return -EINVAL;
}

static void apply_explicit(struct run_config *c, const struct explicit_values *ex)
{
    if (ex->warmup)
        c->warmup_ns = ex->config.warmup_ns;
    if (ex->min_time)
        c->min_time_ns = ex->config.min_time_ns;
    if (ex->max_time)
        c->max_time_ns = ex->config.max_time_ns;
    if (ex->min_samples)
        c->min_samples = ex->config.min_samples;
    if (ex->rounds)
        c->rounds = ex->config.rounds;
    if (ex->round_time)
        c->round_ns = ex->config.round_ns;
    if (ex->ci_target)
        c->ci_target_pct = ex->config.ci_target_pct;
    if (ex->time_budget)
        c->time_budget_ns = ex->config.time_budget_ns;
}

static int parse_command(const char *word, enum cli_command *out)
{
    static const struct {
        const char *word;
        enum cli_command command;
    } commands[] = {{"run", CLI_RUN},         {"list", CLI_LIST},       {"env", CLI_ENV},
                    {"compare", CLI_COMPARE}, {"check", CLI_CHECK},     {"export", CLI_EXPORT},
                    {"report", CLI_REPORT},   {"history", CLI_HISTORY}, {"import", CLI_IMPORT},
                    {"help", CLI_HELP}};
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(word, commands[i].word) == 0) {
            *out = commands[i].command;
            return 0;
        }
    }
    return -EINVAL;
}

/* Options that only make sense for `run` are refused elsewhere, so a user
 * who typed `procbench list --quick` learns that it did nothing. */
static bool allowed_for(enum cli_command command, int id)
{
    if (id == 'h' || id == 'V')
        return true;
    if (command == CLI_RUN)
        return true;
    if (command == CLI_LIST)
        return id == OPT_FILTER;
    if (command == CLI_COMPARE)
        return id == OPT_THRESHOLD || id == OPT_ALPHA || id == OPT_FORMAT ||
               id == OPT_ALLOW_DIFFERENT_MACHINES;
    if (command == CLI_CHECK)
        return id == OPT_RULES;
    if (command == CLI_EXPORT)
        return id == OPT_FORMAT;
    if (command == CLI_REPORT)
        return id == OPT_OUT || id == OPT_PNG || id == OPT_LABEL;
    if (command == CLI_HISTORY)
        return id == OPT_FILTER || id == OPT_SINCE || id == OPT_FORMAT || id == OPT_THRESHOLD ||
               id == OPT_FAIL_ON_CHANGE;
    if (command == CLI_IMPORT)
        return id == OPT_OUT_DIR;
    return false;
}

/* How many file arguments a command takes, and what they are called. */
static size_t inputs_wanted(enum cli_command command, const char **usage)
{
    switch (command) {
    case CLI_COMPARE:
        *usage = "BASE and NEW (results folders or files)";
        return 2;
    case CLI_CHECK:
        *usage = "RESULTS (a results folder or results.json)";
        return 1;
    case CLI_EXPORT:
        *usage = "RESULTS (a results folder or results.json)";
        return 1;
    case CLI_REPORT:
        *usage = "RESULTS (results folders or results.json files)";
        return CLI_MAX_INPUTS;
    case CLI_HISTORY:
        *usage = "ROOT (a results root holding history.db, or the store file)";
        return 1;
    case CLI_IMPORT:
        *usage = "DIR... (results folders, or folders of them)";
        return CLI_MAX_INPUTS;
    default:
        *usage = "";
        return 0;
    }
}

/* Options of compare, check and export. */
static int parse_read_option(int id, const char *arg, struct cli_options *o, char *err,
                             size_t err_len)
{
    switch (id) {
    case OPT_THRESHOLD:
        return cli_value_percent("--threshold", arg, &o->threshold_pct, err, err_len);
    case OPT_ALPHA:
        return cli_value_alpha(arg, &o->alpha, err, err_len);
    case OPT_FORMAT:
        return cli_value_format(o->command, arg, &o->format, err, err_len);
    case OPT_ALLOW_DIFFERENT_MACHINES:
        o->allow_different_machines = true;
        return 0;
    case OPT_RULES:
        if (arg[0] == '\0') {
            reason_format(err, err_len, "--rules: empty path");
            return -EINVAL;
        }
        o->rules_path = arg;
        return 0;
    case OPT_OUT:
        if (cli_value_output_path("--out", arg, err, err_len) != 0)
            return -EINVAL;
        o->report_out = arg;
        return 0;
    case OPT_PNG:
        o->report_png = true;
        return 0;
    case OPT_LABEL: {
        size_t len = strlen(arg);
        bool plain = len > 0 && len < 64;
        for (size_t i = 0; i < len && plain; i++)
            plain = (unsigned char)arg[i] >= 0x20 && arg[i] != 0x7f;
        if (!plain) {
            reason_format(err, err_len, "--label: expected a name of 1 to 63 printable characters");
            return -EINVAL;
        }
        if (o->label_count == CLI_MAX_INPUTS) {
            reason_format(err, err_len, "--label: at most %d", CLI_MAX_INPUTS);
            return -EINVAL;
        }
        o->labels[o->label_count++] = arg;
        return 0;
    }
    case OPT_SINCE:
        o->since_text = arg;
        return cli_value_since(arg, &o->since_unix_ns, err, err_len);
    case OPT_FAIL_ON_CHANGE:
        o->fail_on_change = true;
        return 0;
    case OPT_OUT_DIR:
        if (arg[0] == '\0') {
            reason_format(err, err_len, "--out-dir: empty path");
            return -EINVAL;
        }
        o->out_root = arg;
        return 0;
    }
    return -EINVAL;
}

int cli_parse(int argc, char **argv, struct cli_options *o, char *err, size_t err_len)
{
    set_defaults(o);
    int first = 1;
    if (argc > 1 && argv[1][0] != '-') {
        if (parse_command(argv[1], &o->command) != 0) {
            reason_format(err, err_len, "unknown command '%s' (try --help)", argv[1]);
            return -EINVAL;
        }
        first = 2;
    }
    /* Options start after the command word: hand getopt the argv from the
     * command on, so it sees the command where it expects a program name. */
    argc -= first - 1;
    argv += first - 1;
    struct explicit_values ex = {0};
    /* optind = 0 makes glibc's getopt start afresh, so parsing can run more
     * than once in one process (the tests do). */
    optind = 0;
    opterr = 0;
    int id, index = -1;
    int rc = 0;
    const char *usage;
    size_t wanted = inputs_wanted(o->command, &usage);
    bool only_inputs = false; /* after "--" */
    if (o->command == CLI_EXPORT)
        o->format = CLI_FORMAT_GBENCH;
    while (rc == 0) {
        /* File arguments of compare, check and export may come before,
         * between or after options: getopt stops at each ("+"), and the
         * loop takes it and carries on. */
        if (optind > 0 && optind < argc && o->input_count < wanted &&
            (only_inputs || argv[optind][0] != '-' || argv[optind][1] == '\0')) {
            o->inputs[o->input_count++] = argv[optind++];
            continue;
        }
        if (only_inputs)
            break;
        id = getopt_long(argc, argv, "+hVq", long_options, &index);
        if (id == -1) {
            if (optind > 1 && strcmp(argv[optind - 1], "--") == 0 && wanted > 0) {
                only_inputs = true;
                continue;
            }
            if (optind < argc && o->input_count < wanted)
                continue;
            break;
        }
        if (id == '?' || id == ':') {
            /* glibc leaves the faulty short option in optopt; for a long
             * one it is the last argument getopt looked at. */
            /* glibc also sets optopt for a long option given a value it
             * does not take (--quiet=yes): a word starting "--" is named
             * as typed. */
            const char *arg = argv[optind - 1];
            if (strncmp(arg, "--", 2) != 0 && optopt > 0 && optopt < 256)
                reason_format(err, err_len, "-%c: unknown option or missing value (try --help)",
                              optopt);
            else
                reason_format(err, err_len, "%s: unknown option or missing value (try --help)",
                              arg);
            return -EINVAL;
        }
        if (!allowed_for(o->command, id)) {
            if (index >= 0)
                reason_format(err, err_len, "--%s: not an option of `%s` (try --help)",
                              long_options[index].name, argv[0]);
            else
                reason_format(err, err_len, "-%c: not an option of `%s` (try --help)", id, argv[0]);
            return -EINVAL;
        }
        index = -1;
        if (id == 'h') {
            o->command = CLI_HELP;
        } else if (id == 'V') {
            o->command = CLI_VERSION;
        } else if (id == 'q') {
            o->quiet = true;
        } else if (id == OPT_FILTER) {
            if (o->filter_count == CLI_MAX_REPEATS) {
                reason_format(err, err_len, "--filter: more than %d given", CLI_MAX_REPEATS);
                return -EINVAL;
            }
            /* An empty regex matches every name: most likely an unset
             * variable in a script, about to start the whole suite. */
            if (optarg[0] == '\0') {
                reason_format(err, err_len,
                              "--filter '': empty regex (leave --filter out to select every "
                              "scenario)");
                return -EINVAL;
            }
            o->filters[o->filter_count++] = optarg;
        } else if (wanted > 0) {
            rc = parse_read_option(id, optarg, o, err, err_len);
        } else {
            rc = parse_run_option(id, optarg, o, &ex, err, err_len);
        }
    }
    if (rc != 0)
        return rc;
    if (optind < argc && (o->command == CLI_REPORT || o->command == CLI_IMPORT) &&
        o->input_count == wanted) {
        reason_format(err, err_len, "%s: more than %d %sfolders", argv[0], CLI_MAX_INPUTS,
                      o->command == CLI_REPORT ? "results " : "");
        return -EINVAL;
    }
    if (optind < argc) {
        reason_format(err, err_len, "'%s': unexpected argument (try --help)", argv[optind]);
        return -EINVAL;
    }
    /* report takes any number of results, none meaning results/latest;
     * history its ROOT or none (results); import one folder or more. */
    size_t needed = o->command == CLI_IMPORT ? 1 : wanted;
    if (o->input_count < needed && o->command != CLI_HELP && o->command != CLI_VERSION &&
        o->command != CLI_REPORT && o->command != CLI_HISTORY) {
        reason_format(err, err_len, "%s: expected %s (try --help)", argv[0], usage);
        return -EINVAL;
    }
    apply_explicit(&o->config, &ex);
    if (o->config.min_time_ns > o->config.max_time_ns) {
        reason_format(err, err_len, "--min-time is longer than --max-time");
        return -EINVAL;
    }
    if (o->config.max_time_ns == 0) {
        reason_format(err, err_len, "--max-time must be more than 0");
        return -EINVAL;
    }
    return 0;
}

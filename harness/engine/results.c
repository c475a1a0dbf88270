/*
 * The names of the run data model's enumerations, as every output writes
 * them and every reader expects them.
 */
#include "results.h"

const char *case_status_name(enum case_status status)
{
    switch (status) {
    case CASE_OK:
        return "ok";
    case CASE_FAILED:
        return "failed";
    case CASE_SKIPPED:
        return "skipped";
    }
    return "unknown";
}

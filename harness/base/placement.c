/*
 * The names of the placements, as typed after --placement and written in
 * every output.
 */
#include "placement.h"

const char *placement_name(enum placement placement)
{
    switch (placement) {
    case PLACEMENT_SAME:
        return "same";
    case PLACEMENT_CROSS:
        return "cross";
    case PLACEMENT_FREE:
        return "free";
    }
    return "unknown";
}

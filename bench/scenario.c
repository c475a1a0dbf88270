/*
 * The two helpers of the scenario contract every scenario uses: reading a
 * parameter by name, and the one way to say why a hook failed.
 */
#include "scenario.h"

#include <stdarg.h>
#include <stdio.h>

#include "base/reason.h"

const struct param_value *scenario_param(const struct case_ctx *ctx, const char *name)
{
    const struct param_spec *specs = ctx->scenario != NULL ? ctx->scenario->params : NULL;
    const struct param_spec *spec = params_find(specs, name);
    if (spec == NULL || ctx->params == NULL)
        return NULL;
    return &ctx->params[spec - specs];
}

int scenario_fail(struct case_ctx *ctx, int err, const char *fmt, ...)
{
    char text[SCENARIO_FAILURE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    reason_format(ctx->failure, sizeof(ctx->failure), "%s: %s",
                  ctx->scenario != NULL ? ctx->scenario->name : "?", text);
    return err;
}

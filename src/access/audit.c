/* audit.c - appending to the audit log, with tokens scrubbed. */
#include "access/audit.h"

#include "core/log.h"
#include "core/strbuf.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void access_actor_cli(struct access_actor *who)
{
    const struct passwd *pw = getpwuid(geteuid());
    const char *name = pw && pw->pw_name ? pw->pw_name : NULL;

    memset(who, 0, sizeof(*who));
    if (name)
        snprintf(who->name, sizeof(who->name), "cli:%s", name);
    else
        snprintf(who->name, sizeof(who->name), "cli:uid%lu", (unsigned long)geteuid());
    snprintf(who->address, sizeof(who->address), "local");
}

int64_t access_now(void)
{
    return (int64_t)time(NULL);
}

/* A copy of s with anything that looks like a cscc token replaced. */
static void scrub(struct strbuf *sb, const char *s)
{
    const char *p = s;

    while (p && *p) {
        const char *hit = strstr(p, "cscc_");

        if (!hit || !(hit[5] == 's' || hit[5] == 't') || hit[6] != '_') {
            if (!hit) {
                strbuf_adds(sb, p);
                return;
            }
            strbuf_add(sb, p, (size_t)(hit - p) + 5);
            p = hit + 5;
            continue;
        }
        strbuf_add(sb, p, (size_t)(hit - p));
        strbuf_adds(sb, "[token]");
        p = hit + 7;
        while (*p && strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p))
            p++;
    }
}

int access_audit(struct store *st, const struct access_actor *who, const char *action,
                 const char *object, const char *outcome, const char *detail, int64_t now,
                 struct cscc_err *err)
{
    struct store_audit a;
    struct strbuf d, o;
    struct cscc_err local;
    int rc;

    strbuf_init(&d, 65536);
    strbuf_init(&o, 4096);
    scrub(&d, detail);
    scrub(&o, object);
    memset(&a, 0, sizeof(a));
    a.at = now;
    a.actor = who && who->name[0] ? who->name : "anonymous";
    a.actor_id = who ? who->id : 0;
    a.address = who ? who->address : "";
    a.action = action;
    a.object = o.buf ? o.buf : "";
    a.outcome = outcome ? outcome : "ok";
    a.detail = d.buf ? d.buf : "";
    cscc_err_clear(&local);
    rc = store_audit_append(st, &a, NULL, err ? err : &local);
    if (rc && !err)
        cscc_warn("could not write the audit log (%s %s): %s", action, a.object, local.msg);
    strbuf_release(&d);
    strbuf_release(&o);
    return rc;
}

/*
 * MIT's C client doing what bench/client.ts measures: per iteration a keytab login
 * (krb5_get_init_creds_keytab) into a fresh MEMORY ccache and a service ticket
 * (krb5_get_credentials), for DURATION_MS milliseconds. One krb5_context (krb5.conf parsed once),
 * as the TypeScript loop parses its config once.
 *
 * Build: cc -O2 -o client-loop client-loop.c $(krb5-config --libs krb5)
 * Run:   KRB5_CONFIG=... client-loop PRINCIPAL KEYTAB SERVICE DURATION_MS
 * Prints: <ops> <ms>
 */
#include <krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void check(krb5_context ctx, krb5_error_code ret, const char *what) {
  if (ret == 0) return;
  const char *msg = krb5_get_error_message(ctx, ret);
  fprintf(stderr, "%s: %s\n", what, msg);
  krb5_free_error_message(ctx, msg);
  exit(1);
}

static void one(krb5_context ctx, krb5_principal client, krb5_principal server, krb5_keytab kt) {
  krb5_ccache cc;
  krb5_creds tgt, in, *out = NULL;
  memset(&tgt, 0, sizeof(tgt));
  memset(&in, 0, sizeof(in));
  check(ctx, krb5_cc_new_unique(ctx, "MEMORY", NULL, &cc), "cc_new_unique");
  check(ctx, krb5_cc_initialize(ctx, cc, client), "cc_initialize");
  check(ctx, krb5_get_init_creds_keytab(ctx, &tgt, client, kt, 0, NULL, NULL), "init_creds");
  check(ctx, krb5_cc_store_cred(ctx, cc, &tgt), "store_cred");
  in.client = client;
  in.server = server;
  check(ctx, krb5_get_credentials(ctx, 0, cc, &in, &out), "get_credentials");
  krb5_free_creds(ctx, out);
  krb5_free_cred_contents(ctx, &tgt);
  krb5_cc_destroy(ctx, cc);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s PRINCIPAL KEYTAB SERVICE DURATION_MS\n", argv[0]);
    return 2;
  }
  krb5_context ctx;
  krb5_principal client, server;
  krb5_keytab kt;
  check(ctx, krb5_init_context(&ctx), "init_context");
  check(ctx, krb5_parse_name(ctx, argv[1], &client), "parse client");
  check(ctx, krb5_kt_resolve(ctx, argv[2], &kt), "kt_resolve");
  check(ctx, krb5_parse_name(ctx, argv[3], &server), "parse server");
  double ms = atof(argv[4]);
  double warm = now_ms();
  while (now_ms() - warm < 300) one(ctx, client, server, kt);
  long ops = 0;
  double start = now_ms();
  while (now_ms() - start < ms) {
    one(ctx, client, server, kt);
    ops++;
  }
  printf("%ld %.1f\n", ops, now_ms() - start);
  return 0;
}

/* SPDX-License-Identifier: MIT
 * crossdock secrets: make a master key, and rotate the one a data directory's credentials are
 * sealed with (docs/partner-profiles.md, "Secrets"). Rotation works on the data directory
 * directly, with the hub stopped: a running hub holds the old key and sealed values in memory. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "partner/partner.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: crossdock secrets new-key [--out FILE]\n"
            "       crossdock secrets rotate-key --data DIR --new-key-file FILE\n"
            "\n"
            "new-key     prints a new random master key (64 hex digits), or writes it to FILE\n"
            "            (created mode 0600, never overwritten).\n"
            "rotate-key  with the hub stopped: re-encrypts every stored credential of every\n"
            "            profile version from the current key (CROSSDOCK_SECRET_KEY, else\n"
            "            DIR/secret.key) to the key in FILE, in one transaction. With a key file,\n"
            "            the old key is kept as DIR/secret.key.previous and FILE's key becomes\n"
            "            DIR/secret.key; with the environment variable, set it to the new key\n"
            "            before starting the hub.\n");
}

static int write_new_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "crossdock secrets: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t n = strlen(text);
    bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    close(fd);
    if (!ok) {
        fprintf(stderr, "crossdock secrets: %s: write failed\n", path);
        unlink(path);
        return 1;
    }
    return 0;
}

static int new_key(int argc, char **argv)
{
    const char *out = NULL;
    if (argc == 3 && strcmp(argv[1], "--out") == 0) {
        out = argv[2];
    } else if (argc != 1) {
        usage(stderr);
        return 2;
    }
    struct xd_secret_key *k = NULL;
    char hex[2 * XD_SECRET_KEY_LEN + 2];
    if (xd_secret_key_generate(&k, hex) != XD_OK) {
        fprintf(stderr, "crossdock secrets: no randomness available\n");
        return 1;
    }
    xd_secret_key_destroy(k);
    hex[2 * XD_SECRET_KEY_LEN] = '\n';
    hex[2 * XD_SECRET_KEY_LEN + 1] = '\0';
    int rc = 0;
    if (out != NULL) {
        rc = write_new_file(out, hex);
    } else {
        fputs(hex, stdout);
    }
    memset(hex, 0, sizeof hex);
    return rc;
}

/* Copy the current key file beside itself as .previous (0600), so a crash between the
 * re-sealing commit and the key file's replacement leaves both keys on disk. */
static int keep_previous(const char *key_path, const char *prev_path)
{
    struct xd_buf b;
    xd_buf_init(&b, 1024);
    struct xd_error err = {0};
    int rc = 0;
    if (xd_file_read(key_path, &b, &err) != XD_OK ||
        xd_file_write_atomic(prev_path, b.data, b.len, 0600, &err) != XD_OK) {
        fprintf(stderr, "crossdock secrets: %s\n", err.message);
        rc = 1;
    }
    if (b.data != NULL) {
        memset(b.data, 0, b.len);
    }
    xd_buf_cleanup(&b);
    return rc;
}

static int rotate_key(int argc, char **argv)
{
    const char *data = NULL;
    const char *new_file = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--data") == 0) {
            data = argv[i + 1];
        } else if (strcmp(argv[i], "--new-key-file") == 0) {
            new_file = argv[i + 1];
        } else {
            data = NULL;
            break;
        }
    }
    if (data == NULL || new_file == NULL || argc != 5) {
        usage(stderr);
        return 2;
    }
    struct xd_error err = {0};
    struct xd_secret_key *old_key = NULL, *new_key = NULL;
    char source[1200];
    struct xd_store *s = NULL;
    int rc = 1;
    struct xd_store_options o;
    xd_store_options_init(&o, data);
    if (xd_secret_key_load(data, &old_key, source, sizeof source, &err) != XD_OK ||
        xd_secret_key_read_file(new_file, &new_key, &err) != XD_OK ||
        xd_store_open(&o, &s, &err) != XD_OK) {
        fprintf(stderr, "crossdock secrets rotate-key: %s\n", err.message);
        goto out;
    }
    char old_id[XD_SECRET_KEY_ID_HEX + 1], new_id[XD_SECRET_KEY_ID_HEX + 1];
    xd_secret_key_id(old_key, old_id);
    xd_secret_key_id(new_key, new_id);
    if (strcmp(old_id, new_id) == 0) {
        fprintf(stderr, "crossdock secrets rotate-key: the new key is the current key\n");
        goto out;
    }
    bool from_env = strncmp(source, "environment", 11) == 0;
    char key_path[1100], prev_path[1200];
    snprintf(key_path, sizeof key_path, "%s/%s", data, XD_SECRET_KEY_FILE);
    snprintf(prev_path, sizeof prev_path, "%s.previous", key_path);
    if (!from_env && keep_previous(key_path, prev_path) != 0) {
        goto out;
    }
    int64_t count = 0;
    if (xd_partner_rekey(s, old_key, new_key, "cli:secrets-rotate-key", &count, &err) != XD_OK) {
        fprintf(stderr, "crossdock secrets rotate-key: nothing changed: %s\n", err.message);
        goto out;
    }
    printf("%lld credential value(s) re-sealed from key %s to key %s\n", (long long)count, old_id,
           new_id);
    if (from_env) {
        printf("now set %s to the new key before starting the hub\n", XD_SECRET_KEY_ENV);
        rc = 0;
        goto out;
    }
    struct xd_buf nb;
    xd_buf_init(&nb, 1024);
    if (xd_file_read(new_file, &nb, &err) != XD_OK ||
        xd_file_write_atomic(key_path, nb.data, nb.len, 0600, &err) != XD_OK) {
        fprintf(stderr,
                "crossdock secrets rotate-key: the credentials use the new key, but %s could not "
                "be replaced (%s): copy %s there by hand\n",
                key_path, err.message, new_file);
    } else {
        printf("%s now holds the new key; the old one is in %s\n", key_path, prev_path);
        rc = 0;
    }
    if (nb.data != NULL) {
        memset(nb.data, 0, nb.len);
    }
    xd_buf_cleanup(&nb);
out:
    xd_store_close(s);
    xd_secret_key_destroy(old_key);
    xd_secret_key_destroy(new_key);
    return rc;
}

int xd_cmd_secrets(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "new-key") == 0) {
        return new_key(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "rotate-key") == 0) {
        return rotate_key(argc - 1, argv + 1);
    }
    usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
    return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}

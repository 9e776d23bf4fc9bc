/* SPDX-License-Identifier: MIT
 * Build tool: turn a file into a C source defining `const unsigned char NAME[]` and
 * `const size_t NAME_len`, so documents (the OpenAPI description, dashboard pages) are compiled
 * into the binary. Usage: embed NAME INPUT OUTPUT */
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: embed NAME INPUT OUTPUT\n");
        return 2;
    }
    FILE *in = fopen(argv[2], "rb");
    if (in == NULL) {
        perror(argv[2]);
        return 1;
    }
    FILE *out = fopen(argv[3], "w");
    if (out == NULL) {
        perror(argv[3]);
        fclose(in);
        return 1;
    }
    fprintf(out, "/* Generated from %s by tools/embed.c; do not edit. */\n#include <stddef.h>\n",
            argv[2]);
    fprintf(out, "extern const unsigned char %s[];\nextern const size_t %s_len;\n", argv[1],
            argv[1]);
    fprintf(out, "const unsigned char %s[] = {\n", argv[1]);
    size_t n = 0;
    int c;
    while ((c = fgetc(in)) != EOF) {
        fprintf(out, "%s0x%02x,", n % 16 == 0 ? "\n    " : " ", (unsigned)c);
        n++;
    }
    fprintf(out, "\n    0x00};\nconst size_t %s_len = %zu;\n", argv[1], n);
    int bad = ferror(in) || ferror(out);
    fclose(in);
    if (fclose(out) != 0 || bad) {
        fprintf(stderr, "embed: error writing %s\n", argv[3]);
        return 1;
    }
    return 0;
}

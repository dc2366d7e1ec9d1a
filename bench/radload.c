/* A fixed-rate RADIUS load generator for bench/radius.py (C, so the client is not the bottleneck).
 *
 * radload HOST PORT FILE TIMEOUT_MS
 * FILE holds records: uint32 send offset in microseconds (little endian), uint16 length, packet.
 * Packets are prepared by the caller (pyrad: PAP, Message-Authenticator); record i is sent on
 * socket i / 256 with identifier i % 256 at its offset, without retries. Prints one JSON line:
 * counts per reply code, timeouts, latency percentiles (ms) and the rate actually offered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: radload HOST PORT FILE TIMEOUT_MS [TRACE_FILE]\n");
        return 2;
    }
    FILE *in = fopen(argv[3], "rb");
    if (!in) { perror("open"); return 1; }
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    unsigned char *buf = malloc(size);
    if (fread(buf, 1, size, in) != (size_t)size) { perror("read"); return 1; }
    fclose(in);
    size_t n = 0;
    for (long pos = 0; pos < size; n++) pos += 6 + (buf[pos + 4] | buf[pos + 5] << 8);
    uint32_t *offset = calloc(n, sizeof *offset);
    unsigned char **pkt = calloc(n, sizeof *pkt);
    uint16_t *len = calloc(n, sizeof *len);
    long pos = 0;
    for (size_t i = 0; i < n; i++) {
        offset[i] = buf[pos] | buf[pos + 1] << 8 | buf[pos + 2] << 16 | (uint32_t)buf[pos + 3] << 24;
        len[i] = buf[pos + 4] | buf[pos + 5] << 8;
        pkt[i] = buf + pos + 6;
        pos += 6 + len[i];
    }
    size_t nsock = (n + 255) / 256;
    struct pollfd *fds = calloc(nsock, sizeof *fds);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &addr.sin_addr);
    for (size_t s = 0; s < nsock; s++) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        int big = 1 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("socket"); return 1; }
        fcntl(fd, F_SETFL, O_NONBLOCK);
        fds[s].fd = fd;
        fds[s].events = POLLIN;
    }
    double *sent = calloc(n, sizeof *sent), *rtt = calloc(n, sizeof *rtt);
    int *code = calloc(n, sizeof *code);
    double timeout_us = atof(argv[4]) * 1000, start = now_us(), last_sent = start;
    size_t next = 0, answered = 0;
    unsigned char reply[4096];
    while (answered < n) {
        double t = now_us() - start;
        while (next < n && offset[next] <= t) {
            sent[next] = now_us();
            if (send(fds[next / 256].fd, pkt[next], len[next], 0) < 0) code[next] = -1;
            last_sent = sent[next];
            next++;
        }
        if (next == n && now_us() - last_sent > timeout_us) break;
        int wait_ms = next < n ? (int)((offset[next] - (now_us() - start)) / 1000) : 50;
        if (wait_ms < 0) wait_ms = 0;
        if (poll(fds, nsock, wait_ms) <= 0) continue;
        for (size_t s = 0; s < nsock; s++) {
            if (!(fds[s].revents & POLLIN)) continue;
            ssize_t got;
            while ((got = recv(fds[s].fd, reply, sizeof reply, 0)) >= 20) {
                size_t i = s * 256 + reply[1];
                if (i >= n || code[i] != 0) continue;
                rtt[i] = (now_us() - sent[i]) / 1000.0;
                if (rtt[i] * 1000 > timeout_us) continue; /* too late: counted as a timeout */
                code[i] = reply[0];
                answered++;
            }
        }
    }
    double elapsed = (last_sent - start) / 1e6;
    size_t accept = 0, reject = 0, challenge = 0, other = 0, timeouts = 0, k = 0;
    double *sorted = calloc(n, sizeof *sorted);
    for (size_t i = 0; i < n; i++) {
        if (code[i] == 2) accept++;
        else if (code[i] == 3) reject++;
        else if (code[i] == 11) challenge++;
        else if (code[i] == 0) { timeouts++; continue; }
        else other++;
        sorted[k++] = rtt[i];
    }
    if (argc > 5) { /* optional trace: one line per request, send offset (s) and time (ms) */
        FILE *trace = fopen(argv[5], "w");
        for (size_t i = 0; trace && i < n; i++)
            fprintf(trace, "%.4f %.2f %d\n", (sent[i] - start) / 1e6, code[i] ? rtt[i] : -1.0, code[i]);
        if (trace) fclose(trace);
    }
    qsort(sorted, k, sizeof *sorted, cmp_double);
#define PCT(p) (k ? sorted[(size_t)((k - 1) * (p))] : 0.0)
    printf("{\"requests\": %zu, \"accept\": %zu, \"reject\": %zu, \"challenge\": %zu, "
           "\"other\": %zu, \"timeouts\": %zu, \"p50_ms\": %.2f, \"p90_ms\": %.2f, "
           "\"p99_ms\": %.2f, \"max_ms\": %.2f, \"offered_per_s\": %.1f}\n",
           n, accept, reject, challenge, other, timeouts, PCT(0.5), PCT(0.9), PCT(0.99),
           k ? sorted[k - 1] : 0.0, elapsed > 0 ? n / elapsed : 0.0);
    return 0;
}

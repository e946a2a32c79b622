/* Bounded UDP load generator for scripts/bench-live.ts (issue 7): sends COUNT datagrams of SIZE bytes to a loopback
 * address at RATE packets/s (0 = as fast as possible) in sendmmsg batches, and stops by itself after COUNT packets or
 * MAXSECS seconds, whichever comes first. Python and Node top out near 70k packets/s on 2 cores (one system call per
 * packet); batching lets the offered load exceed what the capture must sustain.
 * Usage: udp-blast ADDR PORT COUNT RATE SIZE [MAXSECS]   prints {"sent": N, "secs": S}
 * Payload: the packet's sequence number (big-endian u32), then 'Z' bytes. Loopback (127.0.0.0/8) only, by design. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_SIZE 1472

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s ADDR PORT COUNT RATE SIZE [MAXSECS]\n", argv[0]);
    return 2;
  }
  struct sockaddr_in dst;
  memset(&dst, 0, sizeof dst);
  dst.sin_family = AF_INET;
  dst.sin_port = htons((unsigned short)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 || (ntohl(dst.sin_addr.s_addr) >> 24) != 127) {
    fprintf(stderr, "udp-blast: %s is not a loopback address\n", argv[1]);
    return 2;
  }
  long count = atol(argv[3]);
  double rate = atof(argv[4]);
  int size = atoi(argv[5]);
  double maxsecs = argc > 6 ? atof(argv[6]) : 5.0;
  if (count < 0 || size < 4 || size > MAX_SIZE || maxsecs <= 0) {
    fprintf(stderr, "udp-blast: bad count, size (4..%d) or time limit\n", MAX_SIZE);
    return 2;
  }

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  /* A sink bound to the destination that never reads: once its small buffer is full the kernel drops each datagram
   * cheaply (after the capture tap has seen it) instead of answering every one with an ICMP port unreachable. */
  int sink = socket(AF_INET, SOCK_DGRAM, 0);
  int rcvbuf = 4096;
  if (sink >= 0) {
    setsockopt(sink, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (bind(sink, (struct sockaddr *)&dst, sizeof dst) < 0) { close(sink); sink = -1; }
  }

  static unsigned char bufs[BATCH][MAX_SIZE];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    memset(bufs[i], 'Z', (size_t)size);
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = (size_t)size;
    msgs[i].msg_hdr.msg_name = &dst; /* unconnected: a stray ICMP error cannot fail the next send */
    msgs[i].msg_hdr.msg_namelen = sizeof dst;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }

  long sent = 0;
  double t0 = now(), elapsed = 0;
  while (sent < count && elapsed < maxsecs) {
    long due = count;
    if (rate > 0) {
      due = (long)(elapsed * rate) + 1;
      if (due > count) due = count;
    }
    long n = due - sent;
    if (n <= 0) {
      /* Ahead of schedule: sleep a fraction of a batch's time so batches stay small and evenly spaced. */
      struct timespec ts = { 0, 50000 };
      nanosleep(&ts, NULL);
      elapsed = now() - t0;
      continue;
    }
    if (n > BATCH) n = BATCH;
    for (long i = 0; i < n; i++) {
      unsigned long seq = (unsigned long)(sent + i);
      bufs[i][0] = (unsigned char)(seq >> 24);
      bufs[i][1] = (unsigned char)(seq >> 16);
      bufs[i][2] = (unsigned char)(seq >> 8);
      bufs[i][3] = (unsigned char)seq;
    }
    int r = sendmmsg(fd, msgs, (unsigned)n, 0);
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS) {
        struct timespec ts = { 0, 100000 };
        nanosleep(&ts, NULL);
      } else {
        perror("sendmmsg");
        break;
      }
    } else {
      sent += r;
    }
    elapsed = now() - t0;
  }
  double secs = now() - t0;
  close(fd);
  if (sink >= 0) close(sink);
  printf("{\"sent\": %ld, \"secs\": %f}\n", sent, secs);
  return 0;
}

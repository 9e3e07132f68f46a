/*
 * tdbwins — tiny shared helpers.
 */
#ifndef TDBWINS_TWUTIL_H
#define TDBWINS_TWUTIL_H

#include <stdint.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* dotted quad of a host-order IPv4 address into buf (>= 16 bytes) */
char *tw_ipstr(uint32_t ip, char *buf);
#define TW_IPSTR_LEN 16

/* wall-clock seconds (record expiry is wall-clock, it is replicated) */
int64_t tw_now(void);

/* unpredictable 16/32-bit values for transaction ids and handles */
uint16_t tw_random16(void);
uint32_t tw_random32(void);

#endif /* TDBWINS_TWUTIL_H */

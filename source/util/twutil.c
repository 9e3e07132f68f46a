/*
 * tdbwins — tiny shared helpers.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

#include "twutil.h"

char *tw_ipstr(uint32_t ip, char *buf)
{
	snprintf(buf, TW_IPSTR_LEN, "%u.%u.%u.%u", (ip >> 24) & 0xff,
		 (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
	return buf;
}

int64_t tw_now(void)
{
	return (int64_t)time(NULL);
}

static void tw_random_fill(void *buf, size_t len)
{
	ssize_t n = 0;

	/* getrandom() from the kernel CSPRNG: ids an attacker cannot guess */
	do {
		n = getrandom(buf, len, 0);
	} while (n < 0 && errno == EINTR);
}

uint16_t tw_random16(void)
{
	uint16_t v = 0;

	tw_random_fill(&v, sizeof(v));
	return v;
}

uint32_t tw_random32(void)
{
	uint32_t v = 0;

	tw_random_fill(&v, sizeof(v));
	return v;
}

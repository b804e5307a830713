/*
 * dnsin.h -- the question a DNS fuzz input is the answer to.
 *
 * A packet's question is taken as the question asked when it has exactly
 * one (so that fuzzed answers get past the question check, as real ones
 * do); bit 0 of the first ID byte asks a fixed question instead, whose
 * type bits 1-3 pick. The ID is never read by the classification.
 */
#ifndef MAILREADY_FUZZ_DNSIN_H
#define MAILREADY_FUZZ_DNSIN_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

/**
 * The question for the packet data: *qname (caller frees; lowercase, no
 * trailing dot, as the probes ask) and *qtype.
 */
void fuzz_dns_question(const uint8_t *data, size_t size, char **qname,
                       ldns_rr_type *qtype);

#endif

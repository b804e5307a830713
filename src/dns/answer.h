/*
 * answer.h -- judging a DNS answer packet: what it says about the question.
 *
 * ldns_pkt_reply_type() is not reliable enough, so the outcome is worked
 * out here from the rcode, the AA bit, the answer section (following
 * CNAMEs) and the authority section.
 */
#ifndef MAILREADY_DNS_ANSWER_H
#define MAILREADY_DNS_ANSWER_H

#include <ldns/ldns.h>

#include "dns/reply.h"

/**
 * Classify pkt as the answer to (qname, qtype) into out: status, rrs,
 * chain, final_name, aa, rcode. out takes ownership of pkt. Fields server,
 * detail and rtt_ms are left alone.
 */
void dns_answer_classify(ldns_pkt *pkt, const char *qname, ldns_rr_type qtype,
                         struct dns_reply *out);

/**
 * Parse wire data and classify it; a packet that does not parse is
 * DNS_MALFORMED with a detail.
 */
void dns_answer_parse(const unsigned char *buf, size_t len, const char *qname,
                      ldns_rr_type qtype, struct dns_reply *out);

#endif

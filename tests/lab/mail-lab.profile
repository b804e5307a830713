; The lab's role profile: the mail services only, so that a lab run checks
; what the lab serves and nothing the lab cannot (Carbonio's internal
; ports, ssh). Same format as checks/profiles/*.conf.
[profile]
description = mailready lab: MTA and mail store services
default_roles = mta

[all]
checks = host.fqdn, dns.a.inside, dns.a.outside, dns.ptr, dns.bl,
	net.internet

[role mta]
checks = dns.mx
external = smtp:25, submission:587, smtps:465

[role mailstore]
external = imap:143, imaps:993, pop3:110, pop3s:995

[role smtp-only]
description = a host that only answers on port 25 (the lab's fault servers)
external = smtp:25

[role submission-only]
description = a host that only answers on port 587
external = submission:587

[role imap-only]
description = a host that only answers IMAP on port 143
external = imap:143

[role imap-pop3]
description = IMAP and POP3 without implicit TLS
external = imap:143, pop3:110

[role dns-only]
description = a node whose DNS alone is under test: no ports

[domain]
checks = dns.mx, dns.auth, dns.spf, dns.dkim, dns.dmarc,
	dns.mta-sts, dns.bl, dns.tlsrpt

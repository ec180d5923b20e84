/** Grant tables: sharing this domain's pages with another domain, and mapping pages granted to it. */
package dev.weft.xen.grant;

package io.netstack4j.inet;

/**
 * Per-device IPv4 settings ({@code struct ipv4_devconf}), shown as
 * {@code net.ipv4.conf.DEV.*}. {@code all} and {@code default} have one each too.
 * Defaults are Linux's. Only settings the stack acts on exist: ICMP redirects are never
 * accepted (Linux's {@code accept_redirects=0}), and proxy ARP, {@code arp_announce},
 * {@code arp_filter} and {@code log_martians} are not there yet.
 */
public final class DevConf {
    public int forwarding;
    /** Reverse-path filtering: 0 off, 1 strict, 2 loose (RFC 3704). */
    public int rpFilter;
    public int sendRedirects = 1;
    public int acceptSourceRoute;
    public int arpIgnore;
    public int arpAccept;
    /**
     * Announce address and link changes with gratuitous ARP. Linux's default is 0; netstack4j
     * defaults to 1 so that adding an address announces it (see docs/FEATURES.md).
     */
    public int arpNotify = 1;
    public int acceptLocal;
    public int routeLocalnet;

    public DevConf copy() {
        DevConf c = new DevConf();
        c.forwarding = forwarding;
        c.rpFilter = rpFilter;
        c.sendRedirects = sendRedirects;
        c.acceptSourceRoute = acceptSourceRoute;
        c.arpIgnore = arpIgnore;
        c.arpAccept = arpAccept;
        c.arpNotify = arpNotify;
        c.acceptLocal = acceptLocal;
        c.routeLocalnet = routeLocalnet;
        return c;
    }
}

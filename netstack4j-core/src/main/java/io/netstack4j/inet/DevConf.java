package io.netstack4j.inet;

/**
 * Per-device IPv4 settings ({@code struct ipv4_devconf}), shown as
 * {@code net.ipv4.conf.DEV.*}. {@code all} and {@code default} have one each too.
 * Defaults are Linux's.
 */
public final class DevConf {
    public int forwarding;
    /** Reverse-path filtering: 0 off, 1 strict, 2 loose (RFC 3704). */
    public int rpFilter;
    public int acceptRedirects = 1;
    public int sendRedirects = 1;
    public int acceptSourceRoute;
    public int logMartians;
    public int arpIgnore;
    public int arpAnnounce;
    public int arpAccept;
    public int arpFilter;
    public int proxyArp;
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
        c.acceptRedirects = acceptRedirects;
        c.sendRedirects = sendRedirects;
        c.acceptSourceRoute = acceptSourceRoute;
        c.logMartians = logMartians;
        c.arpIgnore = arpIgnore;
        c.arpAnnounce = arpAnnounce;
        c.arpAccept = arpAccept;
        c.arpFilter = arpFilter;
        c.proxyArp = proxyArp;
        c.arpNotify = arpNotify;
        c.acceptLocal = acceptLocal;
        c.routeLocalnet = routeLocalnet;
        return c;
    }
}

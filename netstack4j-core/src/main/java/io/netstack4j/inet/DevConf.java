package io.netstack4j.inet;

/**
 * Per-device IPv4 settings ({@code struct ipv4_devconf}), shown as
 * {@code net.ipv4.conf.DEV.*}. {@code all} and {@code default} have one each too.
 * Defaults are Linux's. Only settings the stack acts on exist: proxy ARP, {@code arp_announce},
 * {@code arp_filter} and {@code log_martians} are not there yet.
 */
public final class DevConf {
    public int forwarding;
    /** Reverse-path filtering: 0 off, 1 strict, 2 loose (RFC 3704). */
    public int rpFilter;
    public int sendRedirects = 1;
    public int acceptSourceRoute;
    /**
     * Accept ICMP redirects. Linux's default is 1, and writing {@code ip_forward} sets
     * {@code all.accept_redirects} to its opposite; a forwarding device needs it in both
     * {@code all} and its own settings, a host in either ({@code IN_DEV_RX_REDIRECTS}).
     */
    public int acceptRedirects = 1;
    /** Without shared media, accept a redirect only to a gateway of a default route ({@code ip_fib_check_default}). */
    public int secureRedirects = 1;
    /**
     * The link is shared media (RFC 1620): a redirect may name any unicast gateway; without it the
     * new gateway must be on the same subnet as the old one.
     */
    public int sharedMedia = 1;
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
        c.acceptRedirects = acceptRedirects;
        c.secureRedirects = secureRedirects;
        c.sharedMedia = sharedMedia;
        c.arpIgnore = arpIgnore;
        c.arpAccept = arpAccept;
        c.arpNotify = arpNotify;
        c.acceptLocal = acceptLocal;
        c.routeLocalnet = routeLocalnet;
        return c;
    }
}

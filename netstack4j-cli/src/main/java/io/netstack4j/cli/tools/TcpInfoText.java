package io.netstack4j.cli.tools;

import io.netstack4j.tcp.TcpInfo;

/** The TCP_INFO line {@code ss -i} prints under a socket, in iproute2's order and units ({@code tcp_show_info}). */
final class TcpInfoText {

    private TcpInfoText() {
    }

    static String format(TcpInfo i) {
        StringBuilder b = new StringBuilder();
        if (i.tsOk()) {
            b.append("ts ");
        }
        if (i.sackOk()) {
            b.append("sack ");
        }
        b.append(i.congestion());
        if (i.wscaleOk()) {
            b.append(" wscale:").append(i.sndWscale()).append(',').append(i.rcvWscale());
        }
        b.append(" rto:").append(ms(i.rtoUs()));
        if (i.rttUs() > 0) {
            b.append(" rtt:").append(ms(i.rttUs())).append('/').append(ms(i.rttvarUs()));
        }
        b.append(" ato:").append(ms(i.atoUs()));
        b.append(" mss:").append(i.sndMss()).append(" pmtu:").append(i.pmtu()).append(" rcvmss:").append(i.rcvMss());
        b.append(" advmss:").append(i.advmss()).append(" cwnd:").append(i.sndCwnd());
        if (i.sndSsthresh() < 0x7fffffff) {
            b.append(" ssthresh:").append(i.sndSsthresh());
        }
        b.append(" bytes_sent:").append(i.bytesSent());
        if (i.bytesRetrans() > 0) {
            b.append(" bytes_retrans:").append(i.bytesRetrans());
        }
        b.append(" bytes_acked:").append(i.bytesAcked()).append(" bytes_received:").append(i.bytesReceived());
        b.append(" segs_out:").append(i.segsOut()).append(" segs_in:").append(i.segsIn());
        if (i.dataSegsOut() > 0) {
            b.append(" data_segs_out:").append(i.dataSegsOut());
        }
        if (i.dataSegsIn() > 0) {
            b.append(" data_segs_in:").append(i.dataSegsIn());
        }
        if (i.rttUs() > 0) {
            b.append(" send ").append(rate((double) i.sndCwnd() * i.sndMss() * 8 * 1e6 / i.rttUs()));
        }
        b.append(" lastsnd:").append(i.lastDataSentMs()).append(" lastrcv:").append(i.lastDataRecvMs()).append(" lastack:")
                .append(i.lastAckRecvMs());
        if (i.deliveryRate() > 0) {
            b.append(" delivery_rate ").append(rate(i.deliveryRate() * 8.0));
        }
        b.append(" delivered:").append(i.delivered());
        if (i.unacked() > 0) {
            b.append(" unacked:").append(i.unacked());
        }
        if (i.retrans() > 0 || i.totalRetrans() > 0) {
            b.append(" retrans:").append(i.retrans()).append('/').append(i.totalRetrans());
        }
        if (i.lost() > 0) {
            b.append(" lost:").append(i.lost());
        }
        if (i.sacked() > 0) {
            b.append(" sacked:").append(i.sacked());
        }
        if (i.dsackDups() > 0) {
            b.append(" dsack_dups:").append(i.dsackDups());
        }
        if (i.reordSeen() > 0) {
            b.append(" reord_seen:").append(i.reordSeen());
        }
        b.append(" reordering:").append(i.reordering());
        if (i.rcvRttUs() > 0) {
            b.append(" rcv_rtt:").append(ms(i.rcvRttUs()));
        }
        b.append(" rcv_space:").append(i.rcvSpace());
        if (i.minRttUs() > 0) {
            b.append(" minrtt:").append(ms(i.minRttUs()));
        }
        b.append(" snd_wnd:").append(i.sndWnd()).append(" rcv_wnd:").append(i.rcvWnd());
        return b.toString();
    }

    /** Milliseconds as iproute2 prints them with %g: up to 6 significant digits, no trailing zeros. */
    private static String ms(long us) {
        String s = String.format("%.6g", us / 1000.0);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    /** {@code sprint_bw}: bits per second with a k/M/G prefix. */
    private static String rate(double bps) {
        if (bps > 1e9) {
            return String.format("%.1fGbps", bps / 1e9);
        }
        if (bps > 1e6) {
            return String.format("%.1fMbps", bps / 1e6);
        }
        if (bps > 1e3) {
            return String.format("%.1fKbps", bps / 1e3);
        }
        return String.format("%.0fbps", bps);
    }
}

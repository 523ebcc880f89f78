package io.netstack4j.core;

/**
 * A packet, as the kernel's {@code sk_buff}: one backing array shared by every layer, with the
 * packet's bytes in a window that headers are pushed onto and pulled off without copying.
 *
 * <pre>
 *   0          data()                 tail()             capacity()
 *   | headroom |  packet bytes (len)  |      tailroom    |
 *              ^ push(n) moves left   ^ put(n) moves right
 *              ^ pull(n) moves right  ^ trim(len) moves left
 * </pre>
 *
 * <p>Header offsets ({@link #macHeader()}, {@link #networkHeader()}, {@link #transportHeader()})
 * are absolute indexes into {@link #array()}; -1 means unset. On receive each layer pulls its
 * header and records where it was; on output each layer pushes its header in front of the payload.
 *
 * <p>Ownership: a buffer has exactly one owner at a time. A method whose Javadoc says it
 * "takes ownership" must eventually {@link #free()} the buffer or hand it on; the caller must not
 * touch it afterwards. Buffers come from a {@link PacketPool} and go back to it on {@code free()}.
 *
 * <p>{@link #cloneBuffer()} shares the bytes (as {@code skb_clone}); before changing shared bytes,
 * call {@link #makeWritable()} ({@code skb_unshare}). Not thread-safe: a buffer is used by one
 * thread at a time, handing over with ownership.
 */
public final class PacketBuffer {

    /** The bytes and a count of the buffers sharing them. */
    static final class Data {
        final byte[] bytes;
        int users;

        Data(int capacity) {
            bytes = new byte[capacity];
        }
    }

    final PacketPool pool;
    Data shared;
    private byte[] bytes;
    private int data;
    private int tail;

    private int macHeader = -1;
    private int networkHeader = -1;
    private int transportHeader = -1;

    /** The device the packet arrived on or leaves by ({@code skb->dev}). */
    public NetDevice dev;
    /** The ifindex the packet originally arrived on ({@code skb->skb_iif}); 0 for local output. */
    public int inputIfindex;
    /** Link-layer protocol in host order, e.g. 0x0800 ({@code skb->protocol}). */
    public int protocol;
    public PktType pktType = PktType.HOST;
    public ChecksumState checksum = ChecksumState.NONE;
    /**
     * For {@link ChecksumState#PARTIAL}: where the transport checksum's sum starts, as an absolute
     * index into {@link #array()} ({@code skb->csum_start}); -1 otherwise.
     */
    public int csumStart = -1;
    /** For {@link ChecksumState#PARTIAL}: where the checksum goes, counted from {@link #csumStart}. */
    public int csumOffset;
    /** Receive or send time from the loop's clock, in nanoseconds. */
    public long timestamp;
    /** Firewall mark ({@code skb->mark}). */
    public int mark;
    /** Queueing priority ({@code skb->priority}), used by pfifo_fast to choose a band. */
    public int priority;
    /** Segment size for a large packet that is to be segmented later; 0 when not GSO. */
    public int gsoSize;
    /** TCP's control block ({@code TCP_SKB_CB}): the segment's first sequence number. */
    public int seq;
    /** TCP's control block: the sequence number after the segment (counting SYN and FIN). */
    public int endSeq;
    /** The route this packet follows, set by the routing decision ({@code skb_dst}). */
    public DstEntry dst;
    /**
     * What to tell the owning socket when the buffer leaves its hands ({@code skb->destructor}
     * with {@code skb->sk}): set by a sending socket that charges the buffer to its send
     * buffer; run once, by {@link #orphan()} or {@link #free()}. Clones and copies do not
     * inherit it.
     */
    private Destructor destructor;

    /** A socket's hook run when a buffer it sent is orphaned or freed ({@code sock_wfree}). */
    @FunctionalInterface
    public interface Destructor {
        void release(PacketBuffer skb);
    }

    PacketBuffer(PacketPool pool) {
        this.pool = pool;
    }

    void attach(Data d, int headroom) {
        shared = d;
        bytes = d.bytes;
        data = headroom;
        tail = headroom;
    }

    void resetMetadata() {
        macHeader = -1;
        networkHeader = -1;
        transportHeader = -1;
        dev = null;
        inputIfindex = 0;
        protocol = 0;
        pktType = PktType.HOST;
        checksum = ChecksumState.NONE;
        csumStart = -1;
        csumOffset = 0;
        timestamp = 0;
        mark = 0;
        priority = 0;
        gsoSize = 0;
        dst = null;
        destructor = null;
    }

    /** Charges this buffer to an owner that {@code d} releases ({@code skb_set_owner_w}). */
    public void setDestructor(Destructor d) {
        if (destructor != null) {
            throw new IllegalStateException("buffer already has an owner");
        }
        destructor = d;
    }

    /**
     * Releases the buffer from its owning socket ({@code skb_orphan}): a device that has taken
     * the packet (loopback, veth) calls this, as the kernel's drivers do, so the sender's send
     * buffer no longer counts it.
     */
    public void orphan() {
        Destructor d = destructor;
        if (d != null) {
            destructor = null;
            d.release(this);
        }
    }

    /** The backing array; valid bytes are {@code [data(), tail())}. */
    public byte[] array() {
        return bytes;
    }

    /** Index of the first packet byte in {@link #array()}. */
    public int data() {
        return data;
    }

    /** Index one past the last packet byte. */
    public int tail() {
        return tail;
    }

    public int len() {
        return tail - data;
    }

    public int capacity() {
        return bytes.length;
    }

    public int headroom() {
        return data;
    }

    public int tailroom() {
        return bytes.length - tail;
    }

    /** Prepends {@code n} bytes ({@code skb_push}); returns the new {@link #data()}. */
    public int push(int n) {
        if (n < 0 || n > data) {
            throw new IllegalStateException("push(" + n + ") with headroom " + data);
        }
        data -= n;
        return data;
    }

    /** Strips {@code n} bytes from the front ({@code skb_pull}); returns the new {@link #data()}. */
    public int pull(int n) {
        if (n < 0 || n > tail - data) {
            throw new IllegalStateException("pull(" + n + ") with len " + (tail - data));
        }
        data += n;
        return data;
    }

    /** Appends {@code n} bytes at the tail ({@code skb_put}); returns the index where they start. */
    public int put(int n) {
        if (n < 0 || n > bytes.length - tail) {
            throw new IllegalStateException("put(" + n + ") with tailroom " + (bytes.length - tail));
        }
        int at = tail;
        tail += n;
        return at;
    }

    /** Cuts the packet to {@code newLen} bytes ({@code skb_trim}/{@code pskb_trim}). */
    public void trim(int newLen) {
        if (newLen < 0 || newLen > tail - data) {
            throw new IllegalStateException("trim(" + newLen + ") with len " + (tail - data));
        }
        tail = data + newLen;
    }

    /** Appends bytes copied from {@code src}. */
    public void putBytes(byte[] src, int off, int n) {
        System.arraycopy(src, off, bytes, put(n), n);
    }

    public int macHeader() {
        return macHeader;
    }

    public int networkHeader() {
        return networkHeader;
    }

    public int transportHeader() {
        return transportHeader;
    }

    /** Records that the link-layer header starts at {@link #data()}. */
    public void resetMacHeader() {
        macHeader = data;
    }

    /** Records that the network header starts at {@link #data()}. */
    public void resetNetworkHeader() {
        networkHeader = data;
    }

    /** Records that the transport header starts at {@link #data()}. */
    public void resetTransportHeader() {
        transportHeader = data;
    }

    public void setMacHeader(int index) {
        macHeader = index;
    }

    public void setNetworkHeader(int index) {
        networkHeader = index;
    }

    public void setTransportHeader(int index) {
        transportHeader = index;
    }

    /**
     * True when the transport checksum need not be verified in software
     * ({@code skb_csum_unnecessary}): the device vouched for it, or the packet is
     * {@link ChecksumState#PARTIAL} (its checksum field holds only the pseudo-header sum, to be
     * completed if it ever leaves the host, and the data came from a trusted local source).
     */
    public boolean checksumUnnecessary() {
        return checksum == ChecksumState.UNNECESSARY || checksum == ChecksumState.PARTIAL && csumStart >= 0;
    }

    /** True while another buffer shares these bytes. */
    public boolean isShared() {
        return shared.users > 1;
    }

    /**
     * A second buffer over the same bytes with its own window, header offsets and metadata
     * ({@code skb_clone}). The caller owns the clone.
     */
    public PacketBuffer cloneBuffer() {
        PacketBuffer c = pool.header();
        shared.users++;
        c.shared = shared;
        c.bytes = bytes;
        c.copyWindowAndMetadata(this);
        return c;
    }

    /** A private deep copy with the same headroom, window and metadata ({@code skb_copy}). */
    public PacketBuffer copy() {
        PacketBuffer c = pool.allocCapacity(bytes.length);
        System.arraycopy(bytes, 0, c.bytes, 0, bytes.length);
        c.copyWindowAndMetadata(this);
        return c;
    }

    /** Gives this buffer bytes of its own if they are shared, so they may be changed ({@code skb_unshare}). */
    public void makeWritable() {
        if (shared.users == 1) {
            return;
        }
        Data own = pool.data(bytes.length);
        System.arraycopy(bytes, 0, own.bytes, 0, bytes.length);
        shared.users--;
        shared = own;
        bytes = own.bytes;
    }

    private void copyWindowAndMetadata(PacketBuffer o) {
        data = o.data;
        tail = o.tail;
        macHeader = o.macHeader;
        networkHeader = o.networkHeader;
        transportHeader = o.transportHeader;
        copyMetadata(o);
        checksum = o.checksum;
        csumStart = o.csumStart;
        csumOffset = o.csumOffset;
        gsoSize = o.gsoSize;
    }

    /**
     * Takes over another buffer's per-packet metadata — device, input interface, protocol,
     * packet type, timestamp, mark, priority and route — but not its window, header offsets,
     * checksum state or owner ({@code ip_copy_metadata}, as fragmentation and reassembly do
     * when one packet becomes several or several become one).
     */
    public void copyMetadata(PacketBuffer o) {
        dev = o.dev;
        inputIfindex = o.inputIfindex;
        protocol = o.protocol;
        pktType = o.pktType;
        timestamp = o.timestamp;
        mark = o.mark;
        priority = o.priority;
        dst = o.dst;
    }

    /**
     * Clears what must not cross into another namespace ({@code skb_scrub_packet}): the route,
     * the mark, the header offsets and a checksum verdict (except a partial checksum).
     */
    public void scrub() {
        dst = null;
        mark = 0;
        macHeader = -1;
        networkHeader = -1;
        transportHeader = -1;
        if (checksum != ChecksumState.PARTIAL) {
            // A partial checksum stays partial (skb_scrub_packet leaves ip_summed): the field
            // holds only the pseudo-header sum, to be finished on the way out.
            checksum = ChecksumState.NONE;
        }
    }

    /** Returns the buffer to its pool ({@code kfree_skb}/{@code consume_skb}); the caller gives up ownership. */
    public void free() {
        orphan();
        pool.release(this);
    }

    /** Detaches from pool bookkeeping; used by the pool only. */
    void clearData() {
        shared = null;
        bytes = null;
    }

    @Override
    public String toString() {
        return "PacketBuffer[data=" + data + ", len=" + (tail - data) + ", capacity=" + (bytes == null ? 0 : bytes.length)
                + ", protocol=0x" + Integer.toHexString(protocol) + ", dev=" + (dev == null ? "-" : dev.name()) + "]";
    }
}

package io.netstack4j.core;

/** Device notifications ({@code NETDEV_*} on the netdevice notifier chain). */
public enum NetdevEvent {
    REGISTER,
    UP,
    GOING_DOWN,
    DOWN,
    /** Carrier or other state changed. */
    CHANGE,
    CHANGEMTU,
    CHANGEADDR,
    CHANGENAME,
    UNREGISTER
}

package io.netstack4j.tcp;

import java.util.function.Supplier;

/**
 * A bounded stack of spare objects of one kind, shared by one namespace's sockets: {@link #take}
 * hands out a spare or makes a new one, {@link #give} keeps a returned one while there is room
 * and leaves it to the garbage collector otherwise. Busy sockets take and give back as they
 * need storage, so steady traffic allocates nothing while idle sockets hold none. Whoever gives
 * an object back must have cleared it. Loop thread only.
 */
final class FreeList<T> {

    private final Supplier<T> make;
    private final Object[] spare;
    private int count;

    /**
     * @param make makes a new object when no spare is left
     * @param max the most spares kept
     */
    FreeList(Supplier<T> make, int max) {
        this.make = make;
        this.spare = new Object[max];
    }

    @SuppressWarnings("unchecked")
    T take() {
        if (count == 0) {
            return make.get();
        }
        T t = (T) spare[--count];
        spare[count] = null;
        return t;
    }

    void give(T t) {
        if (count < spare.length) {
            spare[count++] = t;
        }
    }

    /** Spares held now. */
    int spares() {
        return count;
    }
}

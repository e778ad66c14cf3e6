package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** One frozen weight of a network: its expected shape, and its value once loaded. */
public final class Parameter {

    private final Shape shape;
    private final Init init;
    private NDArray value;

    Parameter(Shape shape, Init init) {
        this.shape = shape;
        this.init = init;
    }

    /** How an untrained model fills this weight. */
    public Init init() {
        return init;
    }

    public Shape shape() {
        return shape;
    }

    public boolean isLoaded() {
        return value != null;
    }

    /** The loaded value; a network that runs before every weight is loaded is a programming error. */
    public NDArray array() {
        if (value == null) {
            throw new IllegalStateException("weight of shape " + shape + " used before it was loaded");
        }
        return value;
    }

    /** Replaces the value; the previous one (if any) is closed. */
    public void set(NDArray newValue) {
        if (!newValue.getShape().equals(shape)) {
            throw new IllegalArgumentException("expected shape " + shape + ", got " + newValue.getShape());
        }
        if (value != null && value != newValue) {
            value.close();
        }
        value = newValue;
    }
}

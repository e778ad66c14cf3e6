package org.neologism.trainer.model.nn;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A node of a network whose child and parameter names are diffusers' / transformers' weight names,
 * so that {@code down_blocks.0.resnets.1.conv2.weight} is found by walking the tree, not by a table.
 */
public abstract class Module {

    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();

    public final <M extends Module> M child(String name, M module) {
        if (children.putIfAbsent(name, module) != null) {
            throw new IllegalArgumentException("duplicate child " + name);
        }
        return module;
    }

    protected final Parameter parameter(String name, Init init, long... shape) {
        Parameter parameter = new Parameter(new Shape(shape), init);
        if (parameters.putIfAbsent(name, parameter) != null) {
            throw new IllegalArgumentException("duplicate parameter " + name);
        }
        return parameter;
    }

    /** Visits every parameter below this node with its full dotted name, in declaration order. */
    public final void forEachParameter(String prefix, BiConsumer<String, Parameter> visitor) {
        parameters.forEach((name, p) -> visitor.accept(prefix + name, p));
        children.forEach((name, child) -> child.forEachParameter(prefix + name + ".", visitor));
    }

    /** Every parameter by full name, in declaration order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        forEachParameter("", all::put);
        return all;
    }

    /** Total number of weight elements. */
    public final long parameterCount() {
        long[] count = {0};
        forEachParameter("", (name, p) -> count[0] += p.shape().size());
        return count[0];
    }
}

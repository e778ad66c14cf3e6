package org.neologism.trainer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient checkpointing ({@code torch.utils.checkpoint}) for a forward pass written as a chain of segments.
 * The forward runs every segment without autograd and keeps only the values between segments; the backward
 * walks the segments in reverse, runs each again with autograd from detached copies of its inputs, and
 * back-propagates the gradients its outputs received (a vector-Jacobian product, as backward of
 * Σ output·gradient). Only one segment's graph exists at a time: memory for one more forward.
 *
 * <p>DJL has no custom autograd function (libtorch's {@code torch::autograd::Function} is C++ only), so the
 * chain is driven here rather than hooked into one backward call; the caller finishes the backward from the
 * gradients of the chain's inputs.
 */
public final class GradientCheckpoints implements AutoCloseable {

    /** One part of the forward: its outputs from its inputs (the same arrays, in the order it was given them). */
    @FunctionalInterface
    public interface Segment {
        List<NDArray> apply(List<NDArray> inputs);
    }

    private record Entry(int[] inputs, int[] outputs, Segment segment) {}

    private final NDManager scope;
    private final List<NDArray> values = new ArrayList<>();
    /** Whether a value depends on a differentiable input: only those get a gradient. */
    private final List<Boolean> differentiable = new ArrayList<>();
    private final List<Entry> tape = new ArrayList<>();

    /** @param parent the manager the kept values and the gradients belong to (a sub-manager closed with this) */
    public GradientCheckpoints(NDManager parent) {
        this.scope = parent.newSubManager();
    }

    /**
     * A value from outside the chain.
     *
     * @param differentiable whether the caller wants its gradient (false for constants such as timesteps)
     */
    public int input(NDArray value, boolean differentiable) {
        values.add(value);
        this.differentiable.add(differentiable);
        return values.size() - 1;
    }

    /** Runs {@code segment} on the kept values {@code inputs} without autograd; returns its outputs' ids. */
    public int[] run(Segment segment, int... inputs) {
        List<NDArray> arguments = new ArrayList<>();
        boolean anyDifferentiable = false;
        for (int input : inputs) {
            arguments.add(values.get(input));
            anyDifferentiable |= differentiable.get(input);
        }
        List<NDArray> outputs;
        boolean wasRecording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            outputs = segment.apply(arguments);
        } finally {
            JniUtils.setGradMode(wasRecording);
        }
        int[] ids = new int[outputs.size()];
        for (int i = 0; i < ids.length; i++) {
            NDArray output = outputs.get(i);
            output.attach(scope);
            values.add(output);
            differentiable.add(anyDifferentiable);
            ids[i] = values.size() - 1;
        }
        tape.add(new Entry(inputs.clone(), ids, segment));
        return ids;
    }

    public NDArray value(int id) {
        return values.get(id);
    }

    /**
     * Back-propagates {@code gradient} of value {@code output} through the chain, inside {@code collector};
     * returns the gradient of each value in {@code wanted} (null where none reached it), in {@code scope}.
     */
    public List<NDArray> backward(GradientCollector collector, int output, NDArray gradient, int... wanted) {
        NDArray[] gradients = new NDArray[values.size()];
        gradients[output] = gradient;
        for (int e = tape.size() - 1; e >= 0; e--) {
            Entry entry = tape.get(e);
            if (!differentiable.get(entry.outputs()[0]) || !anyGradient(gradients, entry.outputs())) {
                continue;
            }
            try (NDManager recompute = scope.newSubManager()) {
                List<NDArray> leaves = new ArrayList<>();
                for (int input : entry.inputs()) {
                    NDArray leaf = values.get(input).stopGradient();
                    leaf.attach(recompute);
                    if (differentiable.get(input)) {
                        leaf.setRequiresGradient(true);
                    }
                    leaves.add(leaf);
                }
                List<NDArray> outputs = entry.segment().apply(leaves);
                NDArray product = null;
                for (int i = 0; i < outputs.size(); i++) {
                    NDArray received = gradients[entry.outputs()[i]];
                    if (received != null) {
                        // d(Σ y·g)/dy = g: the sum's value is never used, so fp16 overflow in it does no harm.
                        NDArray term = outputs.get(i).mul(received.toType(outputs.get(i).getDataType(), false)).sum();
                        product = product == null ? term : product.add(term);
                    }
                }
                collector.backward(product);
                for (int i = 0; i < entry.inputs().length; i++) {
                    int input = entry.inputs()[i];
                    // DJL's getGradient throws where backward did not reach; libtorch's answer is null there.
                    NDArray reached = differentiable.get(input) ? JniUtils.getGradient((PtNDArray) leaves.get(i)) : null;
                    if (reached == null) {
                        continue;
                    }
                    NDArray received = reached.duplicate();
                    received.attach(scope);
                    gradients[input] = gradients[input] == null ? received : add(gradients[input], received);
                }
            }
        }
        List<NDArray> result = new ArrayList<>();
        for (int id : wanted) {
            result.add(gradients[id]);
        }
        return result;
    }

    private NDArray add(NDArray sum, NDArray term) {
        NDArray added = sum.add(term);
        added.attach(scope);
        return added;
    }

    private static boolean anyGradient(NDArray[] gradients, int[] ids) {
        for (int id : ids) {
            if (gradients[id] != null) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        scope.close();
    }
}

package org.neologism.trainer.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.GradientCollector;
import java.util.function.Function;

/**
 * A small end-to-end proof that the engine trains: a trainable vector feeds a convolution, a layer
 * norm and a self-attention; the loss's gradient must reach the vector and agree with a central
 * finite difference along the gradient direction (computed in float64, so the agreement is tight).
 */
public final class TensorCheck {

    private static final int CHANNELS = 8;
    private static final int SIDE = 6;

    /** What one check measured. */
    public record Result(double loss, double gradientNorm, double finiteDifferenceRelativeError, String device) {}

    private TensorCheck() {}

    public static Result run(TorchEngine torch) {
        Engine engine = torch.engine();
        try (NDManager manager = torch.newManager()) {
            engine.setRandomSeed(7);
            NDArray image = manager.randomNormal(new Shape(1, 3, SIDE, SIDE), DataType.FLOAT64);
            NDArray kernel = manager.randomNormal(0, 0.3f, new Shape(CHANNELS, 3, 3, 3), DataType.FLOAT64);
            NDArray bias = manager.zeros(new Shape(CHANNELS), DataType.FLOAT64);
            NDArray trainable = manager.randomNormal(new Shape(CHANNELS), DataType.FLOAT64);
            Function<NDArray, NDArray> loss = vector -> forward(image, kernel, bias, vector);

            trainable.setRequiresGradient(true);
            double lossValue;
            NDArray gradient;
            try (GradientCollector collector = engine.newGradientCollector()) {
                NDArray value = loss.apply(trainable);
                collector.backward(value);
                lossValue = value.getDouble();
            }
            gradient = trainable.getGradient().duplicate();
            double gradientNormSquared = gradient.square().sum().getDouble();

            // d/de loss(v + e*g) at e = 0 equals |g|^2.
            NDArray detached = trainable.stopGradient();
            double step = 1e-4;
            double plus = loss.apply(detached.add(gradient.mul(step))).getDouble();
            double minus = loss.apply(detached.sub(gradient.mul(step))).getDouble();
            double directional = (plus - minus) / (2 * step);
            double relativeError = Math.abs(directional - gradientNormSquared) / gradientNormSquared;
            return new Result(lossValue, Math.sqrt(gradientNormSquared), relativeError, manager.getDevice().toString());
        }
    }

    private static NDArray forward(NDArray image, NDArray kernel, NDArray bias, NDArray vector) {
        NDArray features = Conv2d.conv2d(image, kernel, bias, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
        features = features.add(vector.reshape(1, CHANNELS, 1, 1));
        NDArray tokens = features.reshape(1, CHANNELS, SIDE * SIDE).transpose(0, 2, 1);
        NDManager manager = tokens.getManager();
        NDArray gamma = manager.ones(new Shape(CHANNELS), DataType.FLOAT64);
        NDArray beta = manager.zeros(new Shape(CHANNELS), DataType.FLOAT64);
        NDArray normed = LayerNorm.layerNorm(tokens, new Shape(CHANNELS), gamma, beta, 1e-5f).singletonOrThrow();
        NDArray product = normed.matMul(normed.transpose(0, 2, 1));
        // Not div(Number): DJL frees that scalar while autograd still holds it (see Scalars).
        NDArray scores = product.div(org.neologism.trainer.model.nn.Scalars.like(product, Math.sqrt(CHANNELS)));
        NDArray attended = scores.softmax(-1).matMul(normed);
        return attended.square().mean();
    }
}

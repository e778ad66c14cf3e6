package org.neologism.trainer.shell;

import org.apache.felix.service.command.Descriptor;
import org.neologism.trainer.engine.TensorCheck;
import org.neologism.trainer.engine.TorchEngine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ti:tensor-check}. Gogo maps a function name to a Java method of the same name, and a hyphen
 * cannot be in one: a service with a single function uses Gogo's {@code _main} entry point instead,
 * which receives the function's name as its first argument.
 */
@Component(service = TensorCheckCommand.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=tensor-check"
})
public class TensorCheckCommand {

    private final TorchEngine torch;

    @Activate
    public TensorCheckCommand(@Reference TorchEngine torch) {
        this.torch = torch;
    }

    @Descriptor("Run a small forward and backward pass on the engine (convolution, layer norm, attention) and print the gradient norm reaching one trainable vector, checked against a finite difference")
    public void _main(String function) {
        TensorCheck.Result result = TensorCheck.run(torch);
        System.out.printf("device %s: loss %.6f, gradient norm %.6f, finite-difference relative error %.1e%n",
                result.device(), result.loss(), result.gradientNorm(), result.finiteDifferenceRelativeError());
        if (!(result.gradientNorm() > 0) || !(result.finiteDifferenceRelativeError() < 1e-6)) {
            throw new IllegalStateException("The gradient did not reach the trainable vector correctly: " + result);
        }
    }
}

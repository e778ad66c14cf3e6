package org.neologism.trainer.model.single;

/**
 * One diffusers tensor of a component and where it comes from in the single file.
 *
 * @param name      the diffusers name within the component, e.g. {@code down_blocks.0.resnets.1.conv2.weight}
 * @param from      the single-file key, e.g. {@code model.diffusion_model.input_blocks.2.0.out_layers.3.weight}
 * @param transform how the stored tensor becomes the diffusers one
 */
public record MappedTensor(String name, String from, TensorTransform transform) {

    static MappedTensor copy(String name, String from) {
        return new MappedTensor(name, from, new TensorTransform.Copy());
    }
}

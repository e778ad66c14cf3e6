/**
 * The frozen Stable Diffusion 1.x/2.x networks on DJL, matching diffusers / transformers number for number.
 *
 * <pre>{@code
 * DiffusersFolder model = DiffusersFolder.open(dir, WeightFiles.OPENER);         // validates every config
 * Kernels kernels = FusedKernels.orComposed(cacheDir, weights, log::warn);       // fused SDPA / group norm
 * ClipTextModel textEncoder = model.loadTextEncoder(weights, DataType.FLOAT32, kernels);
 * UNet2DCondition unet = model.loadUNet(weights, DataType.FLOAT16, kernels);     // or FLOAT32
 * AutoencoderKL vae = model.loadVae(weights, DataType.FLOAT32, kernels);
 * DdpmSchedule schedule = model.schedule();
 *
 * LatentDistribution d = vae.encode(pixels);                       // once per image and flip: cache mean, std
 * NDArray latents = d.sample(eps).mul(vae.scalingFactor());
 * NDArray noisy = schedule.addNoise(latents, noise, timesteps);
 * NDArray states = textEncoder.forward(ids, new TokenSplice(placeholderIds, vectors));  // vectors [n, d]
 * NDArray prediction = unet.forward(noisy, timestepArray, states);
 * NDArray target = schedule.target(latents, noise, timesteps);    // ε or v
 * }</pre>
 *
 * Every result belongs to the manager of the input it was computed from, never to the weights' manager,
 * so a step run in its own sub-manager frees everything it made.
 */
package org.neologism.trainer.model;

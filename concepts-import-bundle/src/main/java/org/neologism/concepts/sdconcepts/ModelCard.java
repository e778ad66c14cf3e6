package org.neologism.concepts.sdconcepts;

import java.util.List;

import org.neologism.concepts.codec.A1111PtCodec;

/** The README.md of an exported concept, in the style of the sd-concepts-library cards. */
final class ModelCard {

    private ModelCard() {
    }

    static String text(ConceptFolder concept, String folderName, List<String> imageNames) {
        String trigger = concept.embedding().trigger();
        int vectors = concept.embedding().vectorCount();
        int width = concept.embedding().width();
        StringBuilder card = new StringBuilder();
        card.append("---\n")
                .append("tags:\n- stable-diffusion\n- textual-inversion\n")
                .append("---\n\n")
                .append("### ").append(folderName).append("\n\n")
                .append("This is the `").append(trigger).append("` concept taught to Stable Diffusion via Textual Inversion")
                .append(" (").append(vectors).append(vectors == 1 ? " vector" : " vectors").append(" of width ")
                .append(width).append(", for ").append(baseModel(width)).append(").\n\n")
                .append("Use it as an `").append(concept.typeOfConcept()).append("` by writing `").append(trigger)
                .append("` in a prompt.\n\n")
                .append(whoLoadsIt(concept.embedding().trigger(), folderName, vectors));
        if (!imageNames.isEmpty()) {
            card.append("\nThe images it was trained on:\n\n");
            for (String image : imageNames) {
                card.append("![").append(trigger).append(' ').append(image).append("](./")
                        .append(SdConceptsFolders.IMAGES_FOLDER).append('/').append(image).append(")\n");
            }
        }
        return card.toString();
    }

    /**
     * Which tools load this folder's {@code learned_embeds.bin}. One vector is written 1-D, which every
     * loader reads; several are {@code [n, d]}, which InvokeAI 2.3 refuses in a {@code .bin} (it takes one
     * vector per concept-library file) but reads in an AUTOMATIC1111 {@code .pt}; AUTOMATIC1111, ComfyUI and
     * diffusers read both.
     */
    private static String whoLoadsIt(String trigger, String folderName, int vectors) {
        StringBuilder tools = new StringBuilder();
        tools.append("Which tools load it (`learned_embeds.bin` holds ")
                .append(vectors == 1 ? "one vector, 1-D" : vectors + " vectors, 2-D `[" + vectors + ", d]`").append("):\n\n")
                .append("* diffusers: `pipe.load_textual_inversion(\"").append(folderName).append("\")`\n");
        if (vectors == 1) {
            tools.append("* InvokeAI 2.3 and later: copy the folder into `<root>/embeddings/`\n");
        } else {
            tools.append("* InvokeAI 3 and later: copy the folder into `<root>/embeddings/`\n")
                    .append("* InvokeAI 2.3 refuses a `learned_embeds.bin` with several vectors; give it an AUTOMATIC1111")
                    .append(" file instead: `ti:export --format ").append(A1111PtCodec.FORMAT).append(" '").append(trigger)
                    .append("' ").append(folderName).append(".pt`, copied into `<root>/embeddings/`\n");
        }
        tools.append("* AUTOMATIC1111 and ComfyUI: copy `learned_embeds.bin` into their `embeddings/` folder as `")
                .append(folderName).append(".bin` (the file name becomes the trigger)\n");
        tools.append("* Neologism: `ti:import ").append(folderName).append("`\n");
        return tools.toString();
    }

    private static String baseModel(int width) {
        return switch (width) {
            case 768 -> "Stable Diffusion 1.x";
            case 1024 -> "Stable Diffusion 2.x";
            default -> "a text encoder of width " + width;
        };
    }
}

package org.neologism.concepts.sdconcepts;

import java.util.List;

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
                .append("* diffusers: `pipe.load_textual_inversion(\"").append(folderName).append("\")`\n")
                .append("* InvokeAI: copy the folder into `<root>/embeddings/`\n")
                .append("* Neologism: `ti:import ").append(folderName).append("`\n");
        if (!imageNames.isEmpty()) {
            card.append("\nThe images it was trained on:\n\n");
            for (String image : imageNames) {
                card.append("![").append(trigger).append(' ').append(image).append("](./")
                        .append(SdConceptsFolders.IMAGES_FOLDER).append('/').append(image).append(")\n");
            }
        }
        return card.toString();
    }

    private static String baseModel(int width) {
        return switch (width) {
            case 768 -> "Stable Diffusion 1.x";
            case 1024 -> "Stable Diffusion 2.x";
            default -> "a text encoder of width " + width;
        };
    }
}

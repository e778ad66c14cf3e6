package org.neologism.concepts;

import java.util.List;

import org.neologism.concepts.codec.A1111PtCodec;
import org.neologism.concepts.codec.BareTensorCodec;
import org.neologism.concepts.codec.DiffusersSafetensorsCodec;
import org.neologism.concepts.codec.KohyaEmbParamsCodec;
import org.neologism.concepts.codec.LearnedEmbedsBinCodec;
import org.neologism.concepts.codec.OneTrainerCodec;
import org.neologism.concepts.codec.SdxlPairCodec;
import org.neologism.concepts.codec.TextualInversionPtCodec;
import org.neologism.concepts.importing.EmbeddingFormats;

/** Every codec of this bundle, as DS registers them; the fixture files they must read are {@link EmbeddingFixture}s. */
public final class AllCodecs {

    private AllCodecs() {
    }

    /** Every codec of this bundle, as DS registers them. */
    public static EmbeddingFormats formats() {
        return new EmbeddingFormats(List.of(new LearnedEmbedsBinCodec(), new DiffusersSafetensorsCodec(),
                new A1111PtCodec(), new TextualInversionPtCodec(), new KohyaEmbParamsCodec(), new OneTrainerCodec(),
                new SdxlPairCodec(), new BareTensorCodec()));
    }
}

// Writes tm/data/omegat-segmentation.conf: OmegaT's own default segmentation rules (Chinese, English
// and the language-independent ones) plus one Chinese rule that splits a leading paragraph number
// ("72. 决定…") off as OmegaT's Default rules already do for English ("72. Decides…"). OmegaT's
// Chinese rules never break after "." (`[、,.．]` then anything: no break), so without this rule a
// Chinese sentence under another number in another document is never an exact match zh→en.
// The file is java.beans.XMLEncoder output of org.omegat.core.segmentation.SRX, the format OmegaT 3.x
// reads from a project's omegat/segmentation.conf. Regenerate (Debian's omegat installed):
//   javac -d /tmp -cp /usr/share/omegat/OmegaT.jar scripts/MakeOmegatSegmentation.java
//   java -Djava.awt.headless=true -cp "/usr/share/omegat/OmegaT.jar:/usr/share/omegat/lib/*:/tmp" \
//        MakeOmegatSegmentation tm/data/omegat-segmentation.conf
import java.io.File;
import org.omegat.core.segmentation.MapRule;
import org.omegat.core.segmentation.Rule;
import org.omegat.core.segmentation.SRX;

public class MakeOmegatSegmentation {
    public static void main(String[] args) throws Exception {
        SRX srx = SRX.getDefault();
        srx.getMappingRules().removeIf(map -> !(map.getPattern().equals("ZH.*") || map.getPattern().equals("EN.*")
                || map.getPattern().equals(".*")));
        MapRule chinese = srx.getMappingRules().stream().filter(map -> map.getPattern().equals("ZH.*")).findFirst()
                .orElseThrow(() -> new IllegalStateException("OmegaT's defaults have no ZH.* rules"));
        // first, so it wins over the Chinese no-break rule for "."; the same shape as the Default
        // numbered-header rule, ending in ".", ")" or "]" and white space
        chinese.getRules().add(0, new Rule(true, "^\\s*\\p{Nd}+[\\p{Nd}\\.\\)\\]]*[\\.\\)\\]]\\s+", "."));
        SRX.saveTo(srx, new File(args[0]));
    }
}

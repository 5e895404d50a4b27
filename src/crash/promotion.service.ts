import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { CrashService } from './crash.service';
import { DumpsRepository } from './dumps.repository';
import { MatchIndexService } from './match-index.service';
import { SIGNATURE_WRITER, type SignatureFromDumpWriter } from './signature-feed';
import type { PromoteBucketDto } from './crash.dto';

@Injectable()
export class PromotionService {
  constructor(
    private readonly crash: CrashService,
    private readonly dumps: DumpsRepository,
    private readonly index: MatchIndexService,
    @Inject(SIGNATURE_WRITER) private readonly writer: SignatureFromDumpWriter,
  ) {}

  /** A bucket becomes a signature derived from its representative dump; its dumps are labelled with it. */
  async promote(bucketId: string, input: PromoteBucketDto, author: string) {
    const bucket = await this.crash.getBucket(bucketId);
    if (bucket.signatureId) {
      throw new ConflictException(`bucket ${bucketId} already belongs to signature ${bucket.signatureId}`);
    }
    if (!bucket.representativeDumpId)
      throw new ConflictException(`bucket ${bucketId} has no dump to derive from`);
    const dump = await this.crash.getDump(bucket.representativeDumpId);
    const signature = await this.writer.createFromDump(dump.content, input, author);
    const relabelled = await this.dumps.assignBucket(bucketId, signature.id, true);
    // The next match through this instance must already know the new signature.
    await this.index.refresh();
    return { signature, bucket: await this.crash.getBucket(bucketId), relabelledDumps: relabelled };
  }
}

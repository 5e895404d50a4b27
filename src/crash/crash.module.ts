import { Module } from '@nestjs/common';
import { CrashController } from './crash.controller';
import { CrashService } from './crash.service';
import { DumpWriter } from './dump-writer';
import { DumpsRepository } from './dumps.repository';
import { FreshIndexInterceptor } from './fresh-index.interceptor';
import { MatchIndexService } from './match-index.service';
import { ParsePool } from './parse-pool.service';
import { PromotionService } from './promotion.service';
import { RematchService } from './rematch.service';
import { ReparseRepository } from './reparse.repository';
import { ReparseService } from './reparse.service';

/**
 * Parse, match, dumps, buckets. SIGNATURE_FEED and SIGNATURE_WRITER come from the
 * knowledge-base module (global providers), so this module does not import it.
 */
@Module({
  controllers: [CrashController],
  providers: [
    CrashService,
    DumpsRepository,
    DumpWriter,
    MatchIndexService,
    ParsePool,
    PromotionService,
    RematchService,
    ReparseRepository,
    ReparseService,
    FreshIndexInterceptor,
  ],
  exports: [MatchIndexService, CrashService, DumpsRepository, ReparseService, FreshIndexInterceptor],
})
export class CrashModule {}

import { Global, Module } from '@nestjs/common';
import { CrashModule } from '../crash/crash.module';
import { SIGNATURE_FEED, SIGNATURE_WRITER } from '../crash/signature-feed';
import { ImportExportService } from './import-export.service';
import { SeedLoader } from './seed.loader';
import { SignaturesController } from './signatures.controller';
import { SignaturesRepository } from './signatures.repository';
import { SignaturesService } from './signatures.service';

/**
 * The knowledge base. Global so the crash module gets SIGNATURE_FEED (the match index reads
 * changesSince) and SIGNATURE_WRITER (bucket promotion) without importing this module.
 */
@Global()
@Module({
  // For the signatures controller's FreshIndexInterceptor (the match index lives there).
  imports: [CrashModule],
  controllers: [SignaturesController],
  providers: [
    SignaturesRepository,
    SignaturesService,
    ImportExportService,
    SeedLoader,
    { provide: SIGNATURE_FEED, useExisting: SignaturesService },
    { provide: SIGNATURE_WRITER, useExisting: SignaturesService },
  ],
  exports: [SignaturesService, ImportExportService, SeedLoader, SIGNATURE_FEED, SIGNATURE_WRITER],
})
export class KbModule {}

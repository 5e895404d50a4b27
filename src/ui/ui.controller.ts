import { Controller, Get, Header, HttpCode } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/scopes.decorator';
import { PAGE_CSS, PAGE_HTML, PAGE_JS, PAGE_PATHS } from './page';

// Only this origin's own files; the page talks to this API and nothing else.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The web page for people; the shell holds no data and needs no key (the API calls it makes do). */
@ApiExcludeController()
@Public()
@Controller()
export class UiController {
  @Get(PAGE_PATHS)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'same-origin')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return PAGE_HTML;
  }

  @Get('ui.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return PAGE_JS;
  }

  @Get('ui.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  style(): string {
    return PAGE_CSS;
  }

  /** Browsers ask for it; an empty answer keeps their consoles and our logs free of 404s. */
  @Get('favicon.ico')
  @HttpCode(204)
  favicon(): void {}
}

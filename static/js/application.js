// Starts GOV.UK Frontend's components (error summary focus, radios, accordions, service navigation).
// Every page works without it: this only enhances.
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()

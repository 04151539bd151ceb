import { header } from './app.js';

header('');

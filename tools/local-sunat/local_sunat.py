#!/usr/bin/python3
"""A local SUNAT billService for tests: SOAP 1.1 sendBill, sendSummary and getStatus as the WSDL in
shared/sunat/wsdl describes them, answering faults and CDRs the way SUNAT does.

Documents are checked with shared/sunat/validate (signature, schema, SUNAT's rules). Return codes and
their messages come from rules/AjustesValidacionesCPE_CódigosRetorno.md.

Test hooks outside SUNAT's protocol: GET /__stats (JSON) and POST /__control ({"unavailable": N}: the
next N SOAP requests get HTTP 503). Standard library only; logs go to stderr.
"""

import argparse
import base64
import binascii
import datetime
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = "http://service.sunat.gob.pe"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
SUNAT_RUC = "20131312955"

MAX_REQUEST_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024

BILL_NAME = re.compile(r"^(\d{11})-(01|03|07|08)-([A-Z0-9]{4})-(\d{1,8})$")
SUMMARY_NAME = re.compile(r"^(\d{11})-(RC|RA)-(\d{8})-(\d{1,5})$")
ANY_DOCUMENT_NAME = re.compile(r"^(\d{11})-([0-9A-Z]{2})-")

# Used when CódigosRetorno cannot be read; the table wins when present.
FALLBACK_MESSAGES = {
    "0101": "El encabezado de seguridad es incorrecto",
    "0102": "Usuario o contrasena incorrectos",
    "0127": "El ticket no existe",
    "0140": "Existe un Documento igual en Proceso.",
    "0151": "El nombre del archivo ZIP es incorrecto",
    "0152": "No se puede enviar por este método un archivo de resumen",
    "0154": "El RUC del archivo no corresponde al RUC del usuario o el proveedor no esta autorizado a enviar comprobantes del contribuyente",
    "0155": "El archivo ZIP esta vacio",
    "0156": "El archivo ZIP esta corrupto",
    "0157": "El archivo ZIP no contiene comprobantes",
    "0158": "El archivo ZIP contiene demasiados comprobantes para este tipo de envío",
    "0160": "El archivo XML esta vacio",
    "0161": "El nombre del archivo XML no coincide con el nombre del archivo ZIP",
    "0200": "No se pudo procesar su solicitud. (Ocurrio un error en el batch)",
    "0306": "No se puede leer (parsear) el archivo XML",
    "1032": "El comprobante ya esta informado y se encuentra con estado anulado o rechazado",
    "1033": "El comprobante fue registrado previamente con otros datos",
    "2010": "El contribuyente no esta activo",
    "2011": "El contribuyente no esta habido",
    "2335": "El documento electrónico ingresado ha sido alterado",
    "4013": "El RUC  del receptor no esta activo",
    "4014": "El RUC del receptor no esta habido",
}

DOCUMENT_WORDING = {
    "01": ("La Factura numero", "aceptada"),
    "03": ("La Boleta numero", "aceptada"),
    "07": ("La Nota de Credito numero", "aceptada"),
    "08": ("La Nota de Debito numero", "aceptada"),
    "RA": ("La Comunicacion de baja", "aceptada"),
    "RC": ("El Resumen diario", "aceptado"),
}


def reference_of(name):
    """What a CDR's ReferenceID names: SERIE-NUMERO for a comprobante, TT-FECHA-N for a resumen or baja."""
    parts = name.split("-")
    return "-".join(parts[1:]) if parts[1] in ("RA", "RC") else "-".join(parts[2:])


def log(message):
    print(f"local-sunat: {message}", file=sys.stderr, flush=True)


def load_messages(shared_dir):
    messages = dict(FALLBACK_MESSAGES)
    path = os.path.join(shared_dir, "rules", "AjustesValidacionesCPE_CódigosRetorno.md")
    try:
        with open(path, encoding="utf-8") as table:
            for line in table:
                match = re.match(r"^\|\s*(\d{4})\s*\|\s*(.*?)\s*\|\s*$", line)
                if match:
                    messages[match.group(1)] = match.group(2)
    except OSError as error:
        log(f"no CódigosRetorno table ({error}); using the built-in messages")
    return messages


class SunatFault(Exception):
    """A SOAP fault: SUNAT's four-digit code, the message from CódigosRetorno."""

    def __init__(self, code, detail=None):
        super().__init__(code)
        self.code = code
        self.detail = detail


class Validation:
    """What validate said about one document: fault-range, rejection-range and observation codes."""

    def __init__(self, faults, rejections, observations):
        self.faults = faults
        self.rejections = rejections
        self.observations = observations


class LocalSunat:
    def __init__(self, args):
        here = os.path.dirname(os.path.abspath(__file__))
        repo = os.path.dirname(os.path.dirname(here))
        self.validate = args.validate or os.path.normpath(os.path.join(repo, "..", "shared", "sunat", "validate"))
        self.messages = load_messages(os.path.dirname(self.validate))
        self.users = {}
        for pair in args.user or []:
            name, _, password = pair.partition(":")
            self.users[name] = password
        self.padron = {}
        if args.padron:
            with open(args.padron, encoding="utf-8") as padron:
                for line in padron:
                    fields = line.split()
                    if len(fields) >= 2 and not fields[0].startswith("#"):
                        self.padron[fields[0]] = (fields[1].upper(), " ".join(fields[2:]).upper())
        self.state = args.state or tempfile.mkdtemp(prefix="local-sunat-")
        os.makedirs(self.state, exist_ok=True)
        self.summary_delay = max(0, args.summary_delay)
        self.lock = threading.Lock()
        self.requests = 0
        self.by_file = {}
        self.accepted = []
        self.rejected = set()
        self.in_process = set()
        self.unavailable = 0
        # The day SUNAT receives on (rule 2108, the plazo máximo de envío): the machine's Lima day,
        # or the one a test sets with --today or /__control {"today": "YYYY-MM-DD"}.
        self.today = datetime.date.fromisoformat(args.today) if args.today else None
        self.tickets = {}
        self.next_ticket = int(time.time() * 1000)

    def message(self, code):
        return self.messages.get(code, "Error no catalogado")

    def reception_day(self):
        if self.today is not None:
            return self.today
        return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=5)).date()

    # --- the envelope -------------------------------------------------------------------------

    def handle_soap(self, body):
        if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
            raise SunatFault("0306", "el mensaje SOAP no puede declarar un DOCTYPE")
        try:
            envelope = ET.fromstring(body)
        except ET.ParseError as error:
            raise SunatFault("0306", f"el mensaje SOAP no es XML: {error}")
        if envelope.tag != f"{{{SOAP_NS}}}Envelope":
            raise SunatFault("0306", "falta soap:Envelope")
        operation = envelope.find(f"{{{SOAP_NS}}}Body/*")
        if operation is None:
            raise SunatFault("0306", "falta soap:Body")
        ruc = self.authenticate(envelope)
        name = operation.tag.rpartition("}")[2] if operation.tag.startswith(f"{{{SERVICE_NS}}}") else ""
        if name == "sendBill":
            return self.send_bill(ruc, self.child_text(operation, "fileName"), self.child_text(operation, "contentFile"))
        if name == "sendSummary":
            return self.send_summary(ruc, self.child_text(operation, "fileName"), self.child_text(operation, "contentFile"))
        if name == "getStatus":
            return self.get_status(ruc, self.child_text(operation, "ticket"))
        raise SunatFault("0200", f"operación desconocida {operation.tag}")

    @staticmethod
    def child_text(element, name):
        child = element.find(name)
        if child is None:
            child = element.find(f"{{{SERVICE_NS}}}{name}")
        return (child.text or "").strip() if child is not None else ""

    def authenticate(self, envelope):
        token = envelope.find(f"{{{SOAP_NS}}}Header/{{{WSSE_NS}}}Security/{{{WSSE_NS}}}UsernameToken")
        if token is None:
            raise SunatFault("0101")
        username = (token.findtext(f"{{{WSSE_NS}}}Username") or "").strip()
        password = token.findtext(f"{{{WSSE_NS}}}Password") or ""
        if username not in self.users or self.users[username] != password:
            raise SunatFault("0102")
        return username[:11]

    # --- sendBill ---------------------------------------------------------------------------

    def checked_name(self, file_name, pattern, ruc):
        """The document's name, counted; faults for a name of the wrong form (0151), another
        issuer's RUC (0154) or a document already accepted (1033)."""
        name = self.document_name(file_name)
        self.count(name)
        match = pattern.match(name)
        if not match:
            raise SunatFault("0151", name)
        if match.group(1) != ruc:
            raise SunatFault("0154")
        with self.lock:
            if name in self.accepted:
                raise SunatFault("1033")
        return name

    def send_bill(self, ruc, file_name, content):
        if SUMMARY_NAME.match(self.document_name(file_name)):
            self.count(self.document_name(file_name))
            raise SunatFault("0152")
        name = self.checked_name(file_name, BILL_NAME, ruc)
        with self.lock:
            if name in self.rejected:
                raise SunatFault("1032")
            if name in self.in_process:
                raise SunatFault("0140")
            self.in_process.add(name)
        try:
            xml = self.unzip_document(name, content)
            self.keep(name + ".xml", xml)
            code, description, notes = self.judge(name, xml)
            with self.lock:
                (self.accepted.append(name) if code == 0 or code >= 4000 else self.rejected.add(name))
        finally:
            with self.lock:
                self.in_process.discard(name)
        cdr = self.cdr(name, code, description, notes)
        self.keep("R-" + name + ".zip", cdr)
        log(f"sendBill {name}: {code} {description}")
        return "sendBillResponse", f"<applicationResponse>{base64.b64encode(cdr).decode()}</applicationResponse>"

    def judge(self, name, xml):
        """ResponseCode, Description and notes of the CDR for a document, or a fault."""
        tt = name.split("-")[1]
        prefix, accepted_word = DOCUMENT_WORDING[tt]
        document = self.parse_document(xml)
        supplier, customer = self.parties(document)
        if supplier in self.padron:
            estado, condicion = self.padron[supplier]
            if estado != "ACTIVO":
                return 2010, self.message("2010"), []
            if condicion == "NO HABIDO":
                return 2011, self.message("2011"), []
        # Parámetros 004, plazo máximo de envío: a factura and its notes reach SUNAT within 3
        # calendar days of their IssueDate (2108 «Presentacion fuera de fecha»).
        if tt in ("01", "07", "08") and name.split("-")[2].startswith("F"):
            issued = document.findtext(f"{{{CBC_NS}}}IssueDate")
            try:
                issued_day = datetime.date.fromisoformat((issued or "").strip())
            except ValueError:
                issued_day = None
            if issued_day is not None and (self.reception_day() - issued_day).days > 3:
                return 2108, self.message("2108"), []
        result = self.run_validate(name, xml)
        if result.faults:
            raise SunatFault(result.faults[0])
        if result.rejections:
            code = result.rejections[0]
            return int(code), self.message(code), []
        observations = list(result.observations)
        if customer in self.padron:
            estado, condicion = self.padron[customer]
            if estado != "ACTIVO":
                observations.append("4013")
            if condicion == "NO HABIDO":
                observations.append("4014")
        notes = [f"{code} - {self.message(code)}" for code in observations]
        return 0, f"{prefix} {reference_of(name)}, ha sido {accepted_word}", notes

    @staticmethod
    def parse_document(xml):
        head = xml[:4096].upper()
        if b"<!DOCTYPE" in head or b"<!ENTITY" in xml.upper():
            raise SunatFault("0306", "el XML no puede declarar un DOCTYPE")
        try:
            return ET.fromstring(xml)
        except ET.ParseError as error:
            raise SunatFault("0306", str(error))

    @staticmethod
    def parties(document):
        """The issuer's RUC and the customer's RUC (schemeID 6), when the document has them."""
        supplier = document.findtext(f"{{{CAC_NS}}}AccountingSupplierParty/{{{CAC_NS}}}Party/{{{CAC_NS}}}PartyIdentification/{{{CBC_NS}}}ID")
        if supplier is None:
            supplier = document.findtext(f"{{{CAC_NS}}}AccountingSupplierParty/{{{CBC_NS}}}CustomerAssignedAccountID")
        customer = None
        identification = document.find(f"{{{CAC_NS}}}AccountingCustomerParty/{{{CAC_NS}}}Party/{{{CAC_NS}}}PartyIdentification/{{{CBC_NS}}}ID")
        if identification is not None and identification.get("schemeID") == "6":
            customer = (identification.text or "").strip()
        return (supplier or "").strip(), customer

    def run_validate(self, name, xml):
        with tempfile.TemporaryDirectory(prefix="local-sunat-validate-") as scratch:
            path = os.path.join(scratch, name + ".xml")
            with open(path, "wb") as out:
                out.write(xml)
            try:
                run = subprocess.run([self.validate, path, name], capture_output=True, timeout=120)
            except (OSError, subprocess.TimeoutExpired) as error:
                log(f"validate could not run: {error}")
                raise SunatFault("0200", str(error))
        output = run.stdout.decode("utf-8", "replace")
        if run.returncode not in (0, 1):
            log(f"validate {name} exited {run.returncode}: {output.strip()}")
            raise SunatFault("0200", output.strip())
        # SUNAT's XSL reports in two ways: rejectCall stops the transformation with
        # «errorCode; NNNN error: …» (a real error), addWarning prints «NNNNINFO : errorCode NNNN …»
        # and goes on (SUNAT's runtime returns those as observations, whatever the number: e.g. its
        # cac:PaymentTerms template warns 3249 on every factura on credit, cuotas or not).
        codes = []
        warnings = []
        for line in output.splitlines():
            found = re.findall(r"errorCode[^0-9]*([0-9]+)", line)
            if not found or line.startswith("sunat rules:"):
                continue
            for code in found:
                code = code.zfill(4)
                if "errorCode;" in line or "INFO" not in line:
                    if code not in codes:
                        codes.append(code)
                elif code not in warnings:
                    warnings.append(code)
        faults = [c for c in codes if int(c) < 2000]
        rejections = [c for c in codes if 2000 <= int(c) < 4000]
        observations = [c for c in codes if int(c) >= 4000] + [c for c in warnings if c not in codes]
        if "schema: FAIL" in output and not faults:
            faults.append("0306")
        if "signature: FAIL" in output:
            rejections.insert(0, "2335")
        log(f"validate {name}: rc={run.returncode} faults={faults} rejections={rejections} observations={observations}")
        return Validation(faults, rejections, observations)

    # --- sendSummary / getStatus -------------------------------------------------------------

    def send_summary(self, ruc, file_name, content):
        name = self.checked_name(file_name, SUMMARY_NAME, ruc)
        xml = self.unzip_document(name, content)
        self.parse_document(xml)
        self.keep(name + ".xml", xml)
        with self.lock:
            self.next_ticket += 1
            ticket = str(self.next_ticket)
            job = {"ruc": ruc, "name": name, "pending": self.summary_delay, "result": None}
            self.tickets[ticket] = job
        threading.Thread(target=self.process_summary, args=(job, xml), daemon=True).start()
        log(f"sendSummary {name}: ticket {ticket}")
        return "sendSummaryResponse", f"<ticket>{ticket}</ticket>"

    def process_summary(self, job, xml):
        name = job["name"]
        try:
            code, description, notes = self.judge(name, xml)
        except SunatFault as fault:
            code, description, notes = int(fault.code), self.message(fault.code), []
        except Exception as error:  # a bug here must still answer the ticket
            log(f"summary {name} failed: {error!r}")
            code, description, notes = 200, self.message("0200"), []
        cdr = self.cdr(name, code, description, notes)
        self.keep("R-" + name + ".zip", cdr)
        with self.lock:
            if code == 0 or code >= 4000:
                if name not in self.accepted:
                    self.accepted.append(name)
                job["result"] = ("0", cdr)
            else:
                job["result"] = ("99", cdr)
        log(f"summary {name}: {code} {description}")

    def get_status(self, ruc, ticket):
        with self.lock:
            job = self.tickets.get(ticket)
            if job is None:
                raise SunatFault("0127")
            if job["ruc"] != ruc:
                raise SunatFault("0126")
            if job["pending"] > 0 or job["result"] is None:
                job["pending"] = max(0, job["pending"] - 1)
                return "getStatusResponse", "<status><statusCode>98</statusCode></status>"
            status, cdr = job["result"]
        content = base64.b64encode(cdr).decode()
        return "getStatusResponse", f"<status><content>{content}</content><statusCode>{status}</statusCode></status>"

    # --- files ------------------------------------------------------------------------------

    @staticmethod
    def document_name(file_name):
        name = file_name.strip()
        if name.lower().endswith(".zip"):
            return name[:-4]
        raise SunatFault("0151", name)

    def count(self, name):
        with self.lock:
            self.by_file[name] = self.by_file.get(name, 0) + 1

    def keep(self, file_name, data):
        try:
            with open(os.path.join(self.state, file_name), "wb") as out:
                out.write(data)
        except OSError as error:
            log(f"could not keep {file_name}: {error}")

    def unzip_document(self, name, content):
        try:
            raw = base64.b64decode("".join(content.split()), validate=True)
        except (binascii.Error, ValueError):
            raise SunatFault("0156", "base64 inválido")
        if not raw:
            raise SunatFault("0155")
        try:
            archive = zipfile.ZipFile(io.BytesIO(raw))
            entries = [info for info in archive.infolist() if not info.is_dir()]
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError) as error:
            raise SunatFault("0156", str(error))
        if not entries:
            raise SunatFault("0155")
        documents = [info for info in entries if info.filename.lower().endswith(".xml")]
        if not documents:
            raise SunatFault("0157")
        if len(documents) > 1:
            raise SunatFault("0158")
        info = documents[0]
        if os.path.basename(info.filename) != name + ".xml":
            raise SunatFault("0161", info.filename)
        if info.file_size > MAX_UNCOMPRESSED_BYTES:
            raise SunatFault("0156", "contenido demasiado grande")
        try:
            with archive.open(info) as stream:
                data = stream.read(MAX_UNCOMPRESSED_BYTES + 1)
        except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError, RuntimeError) as error:
            raise SunatFault("0156", str(error))
        if len(data) > MAX_UNCOMPRESSED_BYTES:
            raise SunatFault("0156", "contenido demasiado grande")
        if not data.strip():
            raise SunatFault("0160")
        return data

    def cdr(self, name, code, description, notes):
        """SUNAT's answer for a document: R-<name>.zip holding R-<name>.xml (and SUNAT's empty dummy/ folder)."""
        now = datetime.datetime.now()
        ruc, reference = name.split("-")[0], reference_of(name)
        note_xml = "".join(f"<cbc:Note>{escape(note)}</cbc:Note>" for note in notes)
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ar:ApplicationResponse xmlns:ar="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"'
            ' xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"'
            f' xmlns:cbc="{CBC_NS}" xmlns:cac="{CAC_NS}">'
            "<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent/></ext:UBLExtension></ext:UBLExtensions>"
            "<cbc:UBLVersionID>2.0</cbc:UBLVersionID><cbc:CustomizationID>1.0</cbc:CustomizationID>"
            f"<cbc:ID>{int(time.time() * 1000)}</cbc:ID>"
            f"<cbc:IssueDate>{now:%Y-%m-%d}</cbc:IssueDate><cbc:IssueTime>{now:%H:%M:%S}</cbc:IssueTime>"
            f"<cbc:ResponseDate>{now:%Y-%m-%d}</cbc:ResponseDate><cbc:ResponseTime>{now:%H:%M:%S}</cbc:ResponseTime>"
            f"{note_xml}"
            "<cac:Signature><cbc:ID>SignSUNAT</cbc:ID><cac:SignatoryParty><cac:PartyIdentification>"
            f"<cbc:ID>{SUNAT_RUC}</cbc:ID></cac:PartyIdentification><cac:PartyName><cbc:Name>SUNAT</cbc:Name>"
            "</cac:PartyName></cac:SignatoryParty><cac:DigitalSignatureAttachment><cac:ExternalReference>"
            "<cbc:URI>#SignSUNAT</cbc:URI></cac:ExternalReference></cac:DigitalSignatureAttachment></cac:Signature>"
            f"<cac:SenderParty><cac:PartyIdentification><cbc:ID>{SUNAT_RUC}</cbc:ID></cac:PartyIdentification></cac:SenderParty>"
            f"<cac:ReceiverParty><cac:PartyIdentification><cbc:ID>{escape(ruc)}</cbc:ID></cac:PartyIdentification></cac:ReceiverParty>"
            "<cac:DocumentResponse><cac:Response>"
            f"<cbc:ReferenceID>{escape(reference)}</cbc:ReferenceID>"
            f"<cbc:ResponseCode>{code}</cbc:ResponseCode>"
            f"<cbc:Description>{escape(description)}</cbc:Description>"
            "</cac:Response>"
            f"<cac:DocumentReference><cbc:ID>{escape(reference)}</cbc:ID></cac:DocumentReference>"
            "</cac:DocumentResponse></ar:ApplicationResponse>"
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("dummy/", b"")
            archive.writestr(f"R-{name}.xml", xml.encode("utf-8"))
        return buffer.getvalue()

    # --- test hooks -------------------------------------------------------------------------

    def stats(self):
        with self.lock:
            return {"requests": self.requests, "by_file": dict(self.by_file), "accepted": list(self.accepted)}

    def take_request(self):
        """Counts a SOAP request; False when it must be answered 503."""
        with self.lock:
            self.requests += 1
            if self.unavailable > 0:
                self.unavailable -= 1
                return False
            return True


def envelope(inner):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<soap-env:Envelope xmlns:soap-env="{SOAP_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:wsse="{WSSE_NS}">'
        f"<soap-env:Header/><soap-env:Body>{inner}</soap-env:Body></soap-env:Envelope>"
    ).encode("utf-8")


def fault_body(sunat, fault):
    message = sunat.message(fault.code)
    return envelope(
        f'<soap-env:Fault xmlns:soap="{SOAP_NS}">'
        f"<faultcode>soap-env:Client.{fault.code}</faultcode>"
        f"<faultstring>{escape(message)}</faultstring>"
        "</soap-env:Fault>"
    )


class Handler(BaseHTTPRequestHandler):
    server_version = "local-sunat"
    protocol_version = "HTTP/1.1"
    sunat = None

    def log_message(self, format, *args):
        log(f"{self.address_string()} {format % args}")

    def reply(self, status, body, content_type="text/xml; charset=utf-8", close=False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_REQUEST_BYTES:
            return None
        return self.rfile.read(length)

    def do_GET(self):
        if self.path == "/__stats":
            self.reply(200, json.dumps(self.sunat.stats()).encode(), "application/json")
        else:
            self.reply(404, b"not found\n", "text/plain", close=True)

    def do_POST(self):
        body = self.read_body()
        if self.path == "/__control":
            if body is None:
                self.reply(413, b"too large\n", "text/plain", close=True)
                return
            try:
                command = json.loads(body or b"{}")
                unavailable = int(command["unavailable"]) if "unavailable" in command else None
                today = datetime.date.fromisoformat(command["today"]) if "today" in command else None
            except (ValueError, TypeError, AttributeError):
                self.reply(400, b'{"error": "JSON {\\"unavailable\\": N, \\"today\\": \\"YYYY-MM-DD\\"} esperado"}', "application/json")
                return
            with self.sunat.lock:
                if unavailable is not None:
                    self.sunat.unavailable = max(0, unavailable)
                if today is not None:
                    self.sunat.today = today
            self.reply(200, json.dumps({"unavailable": unavailable}).encode(), "application/json")
            return
        if not self.sunat.take_request():
            self.reply(503, b"<html><body>Service Unavailable</body></html>", "text/html", close=True)
            return
        if body is None:
            self.reply(500, fault_body(self.sunat, SunatFault("0306")), close=True)
            return
        try:
            operation, inner = self.sunat.handle_soap(body)
            self.reply(200, envelope(f'<br:{operation} xmlns:br="{SERVICE_NS}">{inner}</br:{operation}>'))
        except SunatFault as fault:
            log(f"fault {fault.code}{': ' + str(fault.detail) if fault.detail else ''}")
            self.reply(500, fault_body(self.sunat, fault))
        except Exception as error:  # never crash on a peer's input
            log(f"internal error: {error!r}")
            self.reply(500, fault_body(self.sunat, SunatFault("0200")))


def main():
    parser = argparse.ArgumentParser(description="Local SUNAT billService for tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--validate")
    parser.add_argument("--user", action="append", help="USERNAME:PASSWORD, USERNAME = RUC + usuario SOL")
    parser.add_argument("--padron", help="lines 'RUC ESTADO [CONDICION]', e.g. '20100070970 BAJA'")
    parser.add_argument("--state", help="directory for received documents and CDRs")
    parser.add_argument("--summary-delay", type=int, default=1)
    parser.add_argument("--today", help="the reception day YYYY-MM-DD (default: today in Lima)")
    args = parser.parse_args()
    Handler.sunat = LocalSunat(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    log(f"validate={Handler.sunat.validate} state={Handler.sunat.state}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
